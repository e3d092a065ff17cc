import Foundation

/// What every fuzz target shares: the invariant check and the hand-over to libFuzzer's driver.
///
/// SwiftPM links an executable target's entry point as `Fuzz<Name>_main` (main is defined to it), so libFuzzer's
/// own main is not used: each target's entry point calls ``FuzzDriver/run(_:_:_:)``.
public enum FuzzDriver {
    /// Stops the run with `message` when an invariant does not hold: libFuzzer keeps the input as a crash.
    public static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data("check failed: \(message())\n".utf8))
            abort()
        }
    }

    /// Runs libFuzzer on `callback` with the process's arguments.
    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv = argv
        return runFuzzerDriver(&argc, &argv, callback)
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
