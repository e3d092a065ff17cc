import CCurl
import CCurlShims
import Foundation

/// What one HTTP fetch of a feed gave.
public enum FeedResponse: Sendable, Equatable {
    /// 200: the document and the validators for the next conditional GET.
    case document(body: [UInt8], etag: String?, lastModified: String?)
    /// 304: the cached copy is current; nothing was transferred.
    case notModified
}

/// The body and headers of one transfer, filled by curl's callbacks through the opaque pointer.
final class FeedTransfer {
    var body: [UInt8] = []
    let limit: Int
    /// Set when the body passed `limit`: the transfer was stopped there.
    var exceeded = false
    /// The headers of the last response (a redirect's headers are dropped when the next status line comes).
    var headers: [String: String] = [:]

    init(limit: Int) {
        self.limit = limit
    }
}

/// curl's write callback: appends to the ``FeedTransfer`` and stops the transfer past its limit (curl then fails
/// with CURLE_WRITE_ERROR), so that a huge feed costs at most `feeds.maxBytes` of memory, after gzip is undone.
let feedWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<FeedTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard transfer.body.count + length <= transfer.limit else {
        transfer.exceeded = true
        return 0
    }
    transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// curl's header callback: keeps the headers of the last response, names lower-cased.
let feedHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    let length = size * count
    guard let context else { return length }
    let transfer = Unmanaged<FeedTransfer>.fromOpaque(context).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        transfer.headers = [:]
    } else if let colon = line.firstIndex(of: ":"), transfer.headers.count < 100 {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        if value.utf8.count <= 1000 { transfer.headers[name] = value }
    }
    return length
}

/// Downloads one feed with libcurl's easy interface, politely: a conditional GET, gzip, a User-Agent naming the
/// tool, at most 5 redirects and never from https to http, a timeout, and a size bound checked while downloading.
///
/// One value per feed and thread: the handle is made, used and freed inside ``fetch(_:feed:etag:lastModified:)``.
public struct HTTPFeedFetcher: Sendable {
    public var userAgent: String
    public var timeoutSeconds: Int
    public var maxBytes: Int
    /// A PEM file of trusted CAs; the system store otherwise. Certificates are always verified.
    public var caFile: String?

    public init(userAgent: String, timeoutSeconds: Int, maxBytes: Int, caFile: String? = nil) {
        self.userAgent = userAgent
        self.timeoutSeconds = timeoutSeconds
        self.maxBytes = maxBytes
        self.caFile = caFile
    }

    /// GETs `url`, sending `etag` and `lastModified` from the last fetch.
    ///
    /// - Throws: ``FeedError`` `.httpStatus` for any status but 200 and 304, `.tooLarge`, `.transfer` (timeout,
    ///   connection, TLS, redirects), `.setup`.
    public func fetch(_ url: String, feed: String, etag: String?, lastModified: String?) throws(FeedError) -> FeedResponse {
        _ = Curl.initialised
        guard let handle = curl_easy_init() else { throw .setup(feed: feed, reason: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let transfer = FeedTransfer(limit: maxBytes)
        var headerLines = ["Accept: application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"]
        if let etag { headerLines.append("If-None-Match: " + etag) }
        if let lastModified { headerLines.append("If-Modified-Since: " + lastModified) }
        let headers = CurlStringList(headerLines)

        func set(_ option: CURLoption, _ value: Int) throws(FeedError) {
            try check(ccurl_easy_setopt_long(handle, option, value), option)
        }
        func set(_ option: CURLoption, _ value: String) throws(FeedError) {
            try check(ccurl_easy_setopt_string(handle, option, value), option)
        }
        func check(_ code: CURLcode, _ option: CURLoption) throws(FeedError) {
            guard code == CURLE_OK else { throw .setup(feed: feed, reason: "setting curl option \(option.rawValue) failed: \(Curl.describe(code))") }
        }

        let isHTTPS = url.lowercased().hasPrefix("https://")
        try set(CURLOPT_URL, url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 1)
        try set(CURLOPT_MAXREDIRS, 5)
        // Once on https, stay on https: a redirect to http would hand the next request to anyone on the path.
        try set(CURLOPT_REDIR_PROTOCOLS_STR, isHTTPS ? "https" : "http,https")
        try set(CURLOPT_ACCEPT_ENCODING, "")  // Every encoding this libcurl decodes: gzip and deflate at least.
        try set(CURLOPT_USERAGENT, userAgent)
        try set(CURLOPT_TIMEOUT, timeoutSeconds)
        try set(CURLOPT_CONNECTTIMEOUT, min(timeoutSeconds, 30))
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try set(CURLOPT_CAINFO, caFile) }
        try check(ccurl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)), CURLOPT_MAXFILESIZE_LARGE)
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.pointer), CURLOPT_HTTPHEADER)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        try check(ccurl_easy_setopt_write_function(handle, feedWriteCallback), CURLOPT_WRITEFUNCTION)
        try check(ccurl_easy_setopt_header_function(handle, feedHeaderCallback), CURLOPT_HEADERFUNCTION)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), CURLOPT_WRITEDATA)
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context), CURLOPT_HEADERDATA)

        let code = withExtendedLifetime((transfer, headers)) { curl_easy_perform(handle) }
        if transfer.exceeded || code == CURLE_FILESIZE_EXCEEDED { throw .tooLarge(feed: feed, limit: maxBytes) }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw .transfer(feed: feed, reason: HTTPFeedFetcher.explain(code, detail: detail, timeout: timeoutSeconds, isHTTPS: isHTTPS))
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        switch status {
        case 200:
            return .document(body: transfer.body, etag: transfer.headers["etag"], lastModified: transfer.headers["last-modified"])
        case 304:
            return .notModified
        default:
            throw .httpStatus(feed: feed, status: status)
        }
    }

    /// A transfer failure in words, with what to check.
    static func explain(_ code: CURLcode, detail: String, timeout: Int, isHTTPS: Bool) -> String {
        let text = Sanitize.collapsedLine(detail.isEmpty ? Curl.describe(code) : detail)
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return "timed out after \(timeout) s (feeds.timeoutSeconds): \(text)"
        case CURLE_TOO_MANY_REDIRECTS: return "more than 5 redirects (a redirect loop?): \(text)"
        case CURLE_UNSUPPORTED_PROTOCOL where isHTTPS:
            return "a redirect left https (https→http and other schemes are refused): \(text)"
        case CURLE_UNSUPPORTED_PROTOCOL: return "a redirect to a scheme other than http or https was refused: \(text)"
        default: return "curl error \(code.rawValue): \(text)"
        }
    }
}
