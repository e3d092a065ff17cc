import CCurl
import CCurlShims
import Foundation
import Logging

/// What the server sent for one command, collected by ``imapWriteCallback`` up to a limit.
final class IMAPResponse {
    var bytes: [UInt8] = []
    let limit: Int
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }
}

/// curl's write callback: appends the server's answer to the ``IMAPResponse`` behind the opaque pointer, and stops
/// the transfer (by returning less than it was given) when the answer exceeds its limit.
let imapWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let context else { return 0 }
    let response = Unmanaged<IMAPResponse>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard response.bytes.count + length <= response.limit else {
        response.overflowed = true
        return 0
    }
    response.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// curl's debug callback for `mailbox --verbose`: logs the IMAP dialogue at debug level with the login redacted
/// (LOGIN carries the password in clear, AUTHENTICATE in base64) and message contents left out.
let imapDebugCallback: @convention(c) (UnsafeMutableRawPointer, curl_infotype, UnsafeMutablePointer<CChar>, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, type, data, size, context in
    guard type == CURLINFO_TEXT || type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT, let context else { return 0 }
    let trace = Unmanaged<CurlTrace>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: min(size, 4096)), as: UTF8.self)
    let prefix = type == CURLINFO_HEADER_OUT ? "> " : (type == CURLINFO_HEADER_IN ? "< " : "* ")
    var lines: [String] = []
    for line in text.split(whereSeparator: \.isNewline) {
        var shown = String(line)
        if type == CURLINFO_HEADER_OUT {
            let words = shown.split(separator: " ")
            let isTagged = words.first.map { $0.count >= 2 && $0.first == "A" && $0.dropFirst().allSatisfy(\.isNumber) } ?? false
            if !isTagged {
                shown = "[redacted]"  // A continuation of AUTHENTICATE: base64 credentials.
            } else if words.count > 1, ["LOGIN", "AUTHENTICATE"].contains(words[1].uppercased()) {
                shown = words.prefix(2).joined(separator: " ") + " [redacted]"
            }
        }
        lines.append("imap: " + prefix + Sanitize.singleLine(shown))
    }
    trace.logger.debug("\(lines.joined(separator: "\n"))")
    return 0
}

/// One IMAP session over libcurl: the folder of ``MailboxSettings/url``, logged in once and reused for every
/// command of a run.
///
/// Commands go through `CURLOPT_CUSTOMREQUEST`, whose untagged answers arrive in the write callback; a message is
/// fetched through the `;UID=n` URL, for which curl reads the literal itself (a custom `FETCH` loses the literal's
/// lines). That fetch sets `\Seen`, so "not handled yet" is a keyword of our own (``handledKeyword``), not the
/// absence of `\Seen`. Not `Sendable`: one session belongs to one thread.
final class IMAPConnection {
    /// The keyword set on every message the reader has handled.
    static let handledKeyword = "$NewsletterHandled"

    let settings: MailboxSettings
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// The folder URL without a trailing slash.
    private let folderURL: String

    /// Kept alive for the debug callback while the session is traced.
    private var trace: CurlTrace?

    init(settings: MailboxSettings, password: String?, trace logger: Logger?) throws(MailboxError) {
        _ = Curl.initialised
        guard let handle = curl_easy_init() else {
            errorBuffer.deallocate()
            throw .setup("curl_easy_init failed")
        }
        self.handle = handle
        self.settings = settings
        var url = settings.url
        while url.hasSuffix("/") { url.removeLast() }
        folderURL = url
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
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
        try check(ccurl_easy_setopt_write_function(handle, imapWriteCallback), CURLOPT_WRITEFUNCTION)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        if let logger {
            let trace = CurlTrace(logger: logger, connection: 1)
            self.trace = trace
            try set(CURLOPT_VERBOSE, 1)
            try check(ccurl_easy_setopt_debug_function(handle, imapDebugCallback), CURLOPT_DEBUGFUNCTION)
            try check(ccurl_easy_setopt_pointer(handle, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(trace).toOpaque()), CURLOPT_DEBUGDATA)
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func set(_ option: CURLoption, _ value: Int) throws(MailboxError) {
        try check(ccurl_easy_setopt_long(handle, option, value), option)
    }

    private func set(_ option: CURLoption, _ value: String?) throws(MailboxError) {
        try check(ccurl_easy_setopt_string(handle, option, value), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(MailboxError) {
        guard code == CURLE_OK else { throw .setup("setting curl option \(option.rawValue) failed: \(Curl.describe(code))") }
    }

    /// Runs one transfer on `url` (with `command` as a custom request, or a plain fetch) and returns what came back.
    private func perform(url: String, command: String?, limit: Int, what: String) throws(MailboxError) -> IMAPResponse {
        let response = IMAPResponse(limit: limit)
        try set(CURLOPT_URL, url)
        try set(CURLOPT_CUSTOMREQUEST, command)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(response).toOpaque()), CURLOPT_WRITEDATA)
        errorBuffer[0] = 0
        let code = withExtendedLifetime(response) { curl_easy_perform(handle) }
        if code == CURLE_WRITE_ERROR && response.overflowed { return response }
        guard code == CURLE_OK else {
            let detail = Sanitize.collapsedLine(String(cString: errorBuffer))
            let text = Curl.describe(code) + (detail.isEmpty ? "" : " (\(detail))")
            switch code {
            case CURLE_LOGIN_DENIED: throw .loginDenied(url: settings.url, username: settings.username ?? "(no username)")
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT, CURLE_PEER_FAILED_VERIFICATION,
                CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                CURLE_GOT_NOTHING, CURLE_WEIRD_SERVER_REPLY:
                throw .connection(url: settings.url, detail: text)
            default:
                throw .command(url: settings.url, command: what, detail: text)
            }
        }
        return response
    }

    /// Runs `command` on the folder and returns its untagged answer lines.
    @discardableResult
    func run(_ command: String) throws(MailboxError) -> [String] {
        let response = try perform(url: folderURL, command: command, limit: 64 * 1024 * 1024, what: command.split(separator: " ").prefix(2).joined(separator: " "))
        return String(decoding: response.bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }

    /// The UIDs of the messages not handled yet, oldest first.
    func unhandledUIDs() throws(MailboxError) -> [UInt32] {
        var uids: [UInt32] = []
        for line in try run("UID SEARCH UNKEYWORD \(IMAPConnection.handledKeyword)") where line.uppercased().hasPrefix("* SEARCH") {
            uids += line.dropFirst(8).split(separator: " ").compactMap { UInt32($0.trimmingCharacters(in: .whitespaces)) }
        }
        return uids.sorted()
    }

    /// Size and `\Seen` state of the messages `uids`.
    ///
    /// Asked 100 at a time: curl 7.88 counts a custom command's untagged answer against its 300 KB limit on
    /// response headers, and counts it more than once, so 1000 messages in one command already failed here.
    func status(of uids: [UInt32]) throws(MailboxError) -> [UInt32: (size: Int, isSeen: Bool)] {
        var result: [UInt32: (size: Int, isSeen: Bool)] = [:]
        for chunk in stride(from: 0, to: uids.count, by: 100).map({ Array(uids[$0..<min($0 + 100, uids.count)]) }) {
            let set = chunk.map(String.init).joined(separator: ",")
            for line in try run("UID FETCH \(set) (UID RFC822.SIZE FLAGS)") where line.hasPrefix("* ") && line.uppercased().contains(" FETCH ") {
                let words = line.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ").split(separator: " ")
                func number(after name: String) -> Int? {
                    guard let index = words.firstIndex(where: { $0.uppercased() == name }), index + 1 < words.count else { return nil }
                    return Int(words[index + 1])
                }
                guard let uid = number(after: "UID"), let size = number(after: "RFC822.SIZE") else { continue }
                result[UInt32(uid)] = (size, words.contains { $0.lowercased() == "\\seen" })
            }
        }
        return result
    }

    /// The message `uid`, whole, or nil when it is larger than `limit` bytes. Sets `\Seen` on the server.
    func fetch(_ uid: UInt32, limit: Int) throws(MailboxError) -> [UInt8]? {
        let response = try perform(url: folderURL + "/;UID=\(uid)", command: nil, limit: limit, what: "fetching message \(uid)")
        return response.overflowed ? nil : response.bytes
    }

    /// Adds `flags` to the message `uid`.
    func addFlags(_ uid: UInt32, _ flags: String) throws(MailboxError) {
        try run("UID STORE \(uid) +FLAGS.SILENT (\(flags))")
    }

    /// Removes `flags` from the message `uid`.
    func removeFlags(_ uid: UInt32, _ flags: String) throws(MailboxError) {
        try run("UID STORE \(uid) -FLAGS.SILENT (\(flags))")
    }

    /// Moves the message `uid` into `folder` (RFC 6851).
    func move(_ uid: UInt32, to folder: String) throws(MailboxError) {
        try run("UID MOVE \(uid) \"\(folder)\"")
    }

    /// Creates `folder` unless it exists.
    func ensureFolder(_ folder: String) throws(MailboxError) {
        let listed = try run("LIST \"\" \"\(folder)\"")
        if !listed.contains(where: { $0.uppercased().hasPrefix("* LIST") }) {
            try run("CREATE \"\(folder)\"")
        }
    }
}
