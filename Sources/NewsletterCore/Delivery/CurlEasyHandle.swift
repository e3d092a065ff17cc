import CCurl
import CCurlShims
import Foundation
import Logging

/// libcurl's global state, initialised exactly once before the first handle.
enum Curl {
    static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    /// The text libcurl gives for `code`.
    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// A linked list of strings for options such as `CURLOPT_MAIL_RCPT`, freed with its owner.
///
/// curl does not copy an slist: it must live until the transfer that uses it has finished.
final class CurlStringList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    init(_ strings: [String]) {
        for string in strings { pointer = curl_slist_append(pointer, string) }
    }

    deinit { curl_slist_free_all(pointer) }
}

/// The message being uploaded by one handle, read by curl through ``curlReadCallback``.
final class UploadBuffer {
    let bytes: [UInt8]
    var offset = 0
    /// Called at the first read, which comes after the server's reply to DATA: the moment to ask for what `hold`
    /// will wait for, so that it gets done while the content goes out.
    var announce: (() -> Void)?
    /// Called before curl gets the message's last byte: it may wait (see ``SMTPTransport``), and returns false
    /// when the message must not be sent, which fails the transfer and drops the connection without ending the
    /// message. Until its last byte, and so its end of data, a message is not taken by the server: everything
    /// before it goes out while `hold` is still to come.
    var hold: (() -> Bool)?
    /// Whether `hold` refused the message: its end of data was never sent, so the server did not take it.
    var wasHeldBack = false
    /// The handle whose reply timeouts become `dataTimeout` once curl has the whole message: from then on it
    /// waits for the reply to the end of data, which RFC 5321 §4.5.3.2.6 gives 10 minutes.
    var endHandle: UnsafeMutableRawPointer?
    var dataTimeout = 600

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// curl's read callback: copies the next part of the message into curl's buffer. Non-capturing and
/// nonisolated, as a C callback must be; the buffer comes through the opaque pointer.
let curlReadCallback: @convention(c) (UnsafeMutablePointer<CChar>, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    destination, size, count, context in
    guard let context else { return 0 }
    let upload = Unmanaged<UploadBuffer>.fromOpaque(context).takeUnretainedValue()
    if let announce = upload.announce {
        upload.announce = nil
        announce()
    }
    var length = min(size * count, upload.bytes.count - upload.offset)
    if let hold = upload.hold, length > 0 {
        let last = upload.bytes.count - 1
        if upload.offset < last {
            // Everything but the last byte now; curl asks again for the rest once it has sent this.
            length = min(length, last - upload.offset)
        } else {
            upload.hold = nil
            // CURL_READFUNC_ABORT: libcurl drops the connection and sends nothing more, not even the end of data.
            guard hold() else {
                upload.wasHeldBack = true
                return Int(CURL_READFUNC_ABORT)
            }
        }
    }
    if length > 0 {
        upload.bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(destination).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
        }
        upload.offset += length
    }
    if upload.offset == upload.bytes.count, let handle = upload.endHandle {
        upload.endHandle = nil
        // Read live by libcurl 7.88's reply wait (Curl_pp_state_timeout) and its stall check (Curl_speedcheck).
        _ = ccurl_easy_setopt_long(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, upload.dataTimeout)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, upload.dataTimeout)
    }
    return length
}

/// Where a connection's protocol dialogue goes when it is traced: a logger, and the connection's number.
final class CurlTrace {
    let logger: Logger
    let connection: Int
    /// The tag in front of each line: `curl[N]: `, or `curl[N@relay]: ` when there are several relays.
    let tag: String

    init(logger: Logger, connection: Int, relay: String? = nil) {
        self.logger = logger
        self.connection = connection
        tag = "curl[\(connection)\(relay.map { "@" + $0 } ?? "")]: "
    }
}

/// curl's debug callback for a traced handle (`--verbose`): logs the SMTP dialogue at debug level with the AUTH
/// exchange redacted, since it carries the password in base64. Each line starts with `curl[N]:`, N being the
/// connection's number: the connections run at the same time.
let curlDebugCallback: @convention(c) (UnsafeMutableRawPointer, curl_infotype, UnsafeMutablePointer<CChar>, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, type, data, size, context in
    guard type == CURLINFO_TEXT || type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT, let context else { return 0 }
    let trace = Unmanaged<CurlTrace>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    let prefix = type == CURLINFO_HEADER_OUT ? "> " : (type == CURLINFO_HEADER_IN ? "< " : "* ")
    let tag = trace.tag
    var lines: [String] = []
    for line in text.split(whereSeparator: \.isNewline) {
        var shown = String(line)
        let upper = shown.uppercased()
        if type == CURLINFO_HEADER_OUT, upper.hasPrefix("AUTH ") {
            shown = String(shown.split(separator: " ").prefix(2).joined(separator: " ")) + " [redacted]"
        } else if type == CURLINFO_HEADER_OUT, !upper.hasPrefix("EHLO"), !upper.hasPrefix("MAIL"), !upper.hasPrefix("RCPT"),
            !upper.hasPrefix("DATA"), !upper.hasPrefix("QUIT"), !upper.hasPrefix("STARTTLS"), !upper.hasPrefix("RSET"), !upper.hasPrefix("NOOP")
        {
            shown = "[redacted]"  // An AUTH LOGIN continuation: a base64 user name or password.
        }
        // A URL curl mentions (a redirect, a connection note) never shows a user name or password.
        lines.append(tag + prefix + Sanitize.singleLine(Sanitize.withoutCredentials(shown)))
    }
    trace.logger.debug("\(lines.joined(separator: "\n"))")
    return 0
}

/// One libcurl easy handle: one SMTP connection that carries many messages.
///
/// Not `Sendable`: a handle belongs to the one thread that drives it (``SMTPTransport`` gives each connection a
/// thread). It keeps the recipient list, the upload buffer and the error buffer alive until its transfer has finished.
final class CurlEasyHandle {
    let handle: UnsafeMutableRawPointer
    private var recipients: CurlStringList?
    private(set) var upload: UploadBuffer?
    /// curl writes error details here during a transfer, so it needs a stable address of its own.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Kept alive for the debug callback while the handle is traced.
    private var trace: CurlTrace?
    /// The reply timeout for every command, and the one for the reply to the end of data.
    private var timeout = 60
    private var dataTimeout = 600

    init() throws(DeliveryError) {
        _ = Curl.initialised
        guard let handle = curl_easy_init() else {
            errorBuffer.deallocate()
            throw .setup("curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(DeliveryError) {
        try check(ccurl_easy_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(DeliveryError) {
        try check(ccurl_easy_setopt_string(handle, option, value), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(DeliveryError) {
        guard code == CURLE_OK else { throw .setup("setting curl option \(option.rawValue) failed: \(Curl.describe(code))") }
    }

    /// Options that stay for the handle's life: server, security, credentials, timeouts. With `trace`, the
    /// dialogue is logged there, its lines numbered with `connection` (from 1) and named with `relay`, if given.
    func configure(_ settings: SMTPSettings, password: String?, trace logger: Logger?, connection: Int, relay: String? = nil) throws(DeliveryError) {
        timeout = settings.timeoutSeconds
        dataTimeout = max(settings.dataTimeoutSeconds, settings.timeoutSeconds)
        try set(CURLOPT_URL, settings.url)
        try set(CURLOPT_UPLOAD, 1)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT, settings.timeoutSeconds)
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, settings.timeoutSeconds)
        try set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(CURLOPT_LOW_SPEED_TIME, settings.timeoutSeconds)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        switch settings.security {
        case .starttls: try set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .tls: break
        case .none: try set(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
        }
        if let caFile = settings.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let username = settings.username {
            try set(CURLOPT_USERNAME, username)
            if let password { try set(CURLOPT_PASSWORD, password) }
        }
        try check(ccurl_easy_setopt_read_function(handle, curlReadCallback), CURLOPT_READFUNCTION)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        if let logger {
            let trace = CurlTrace(logger: logger, connection: connection, relay: relay)
            self.trace = trace
            try set(CURLOPT_VERBOSE, 1)
            try check(ccurl_easy_setopt_debug_function(handle, curlDebugCallback), CURLOPT_DEBUGFUNCTION)
            try check(ccurl_easy_setopt_pointer(handle, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(trace).toOpaque()), CURLOPT_DEBUGDATA)
        }
    }

    /// Prepares the next message: envelope, recipient, body, whether to open a fresh connection or close it after,
    /// what to ask for once the server has said yes to DATA (``UploadBuffer/announce``), and what to wait for before
    /// the message's last byte goes out (``UploadBuffer/hold``).
    func prepare(
        from: String, to: String, message: [UInt8], freshConnection: Bool, closeAfter: Bool, announce: (() -> Void)? = nil,
        hold: (() -> Bool)? = nil
    ) throws(DeliveryError) {
        let recipients = CurlStringList(["<\(to)>"])
        let upload = UploadBuffer(message)
        upload.announce = announce
        upload.hold = hold
        upload.endHandle = handle
        upload.dataTimeout = dataTimeout
        // The last message may have lengthened them for its end of data.
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout)
        try set(CURLOPT_LOW_SPEED_TIME, timeout)
        self.recipients = recipients
        self.upload = upload
        errorBuffer[0] = 0
        try set(CURLOPT_MAIL_FROM, "<\(from)>")
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients.pointer), CURLOPT_MAIL_RCPT)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque()), CURLOPT_READDATA)
        try check(ccurl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)), CURLOPT_INFILESIZE_LARGE)
        try set(CURLOPT_FRESH_CONNECT, freshConnection ? 1 : 0)
        try set(CURLOPT_FORBID_REUSE, closeAfter ? 1 : 0)
    }

    /// Runs the prepared transfer to its end on the calling thread: the connection, if need be, then MAIL, RCPT,
    /// DATA, the content and the reply to its end.
    func perform() -> CURLcode {
        curl_easy_perform(handle)
    }

    /// Whether the whole message was handed to curl: a 5xx after that is the reply to the end of data.
    var uploadedEverything: Bool {
        guard let upload else { return false }
        return upload.offset == upload.bytes.count
    }

    /// The last SMTP reply code.
    var responseCode: Int {
        var code: Int = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// curl's error buffer for the last transfer.
    var errorText: String {
        String(cString: errorBuffer)
    }
}
