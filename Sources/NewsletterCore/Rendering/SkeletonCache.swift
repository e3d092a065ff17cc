/// The skeletons of one renderer, made on first use; used from the one thread that renders.
final class SkeletonCache: @unchecked Sendable {
    private var made: [Bool: (text: BodySkeleton, html: BodySkeleton)?] = [:]
    private var verified: Set<Bool> = []
    private var wires: [Bool: WireMessage] = [:]
    private var wireVerified: Set<Bool> = []
    /// The shared header fields (From, Subject, Date, List-Id), made once.
    var fixedFields: MailMessage.FixedFields?
    private(set) var isDisabled = false

    func made(hasName: Bool) -> (text: BodySkeleton, html: BodySkeleton)? { made[hasName] ?? nil }
    func wire(hasName: Bool) -> WireMessage? { wires[hasName] }
    func setWire(_ wire: WireMessage, hasName: Bool) -> WireMessage {
        wires[hasName] = wire
        return wire
    }
    func isWireVerified(hasName: Bool) -> Bool { wireVerified.contains(hasName) }
    func markWireVerified(hasName: Bool) { wireVerified.insert(hasName) }

    func skeleton(hasName: Bool, make: () -> (text: BodySkeleton, html: BodySkeleton)?) -> (text: BodySkeleton, html: BodySkeleton)? {
        if let existing = made[hasName] { return existing }
        let skeleton = make()
        made[hasName] = skeleton
        return skeleton
    }

    func isVerified(hasName: Bool) -> Bool { verified.contains(hasName) }
    func markVerified(hasName: Bool) { verified.insert(hasName) }
    func disable() { isDisabled = true }
}
