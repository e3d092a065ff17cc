import CCurl

/// What a failed transfer's `CURLcode` means for the run: the one table of every code libcurl 7.88 defines.
///
/// A code decides first, since the SMTP reply code can be stale after a dropped connection (FIELD-NOTES). Only
/// the codes libcurl's SMTP client uses for a refused command (``reply``) are then decided by the reply. A code
/// the table does not know (a newer libcurl) stops the run: it is never retried until the edition expires.
public enum CurlOutcome: Equatable, Sendable {
    /// Decided by the SMTP reply: 4xx retry later, 5xx refuses the recipient, the message or the session.
    case reply
    /// Retry later on a fresh connection (a dropped connection, a timeout, a reply that made no sense).
    case temporary
    /// Nothing more can be sent until a person fixes the cause: the run stops (exit 1).
    case stop(StopReason)
    /// The configuration cannot work (a bad URL, an unreadable CA file, an option this libcurl lacks): exit 65.
    case configuration

    /// Why a run stops, which picks the error and its hint.
    public enum StopReason: Equatable, Sendable {
        case connection
        case tls
        case authentication
        case other
    }

    /// The outcome of `code` (not `CURLE_OK`): the table's entry, or ``stop(_:)`` for a code it does not know.
    public static func of(_ code: CURLcode) -> CurlOutcome {
        table[Int(code.rawValue)]?.outcome ?? .stop(.other)
    }

    /// Whether the table has an entry for `code`.
    public static func knows(_ code: CURLcode) -> Bool {
        table[Int(code.rawValue)] != nil
    }

    /// Every code of curl.h (7.88) but `CURLE_OK`, with its name, and what it means when sending mail. Codes of
    /// other protocols (FTP, TFTP, HTTP, LDAP, RTSP, SSH) cannot come from an SMTP transfer: if one does,
    /// something is badly wrong, and the run stops.
    static let table: [Int: (name: String, outcome: CurlOutcome)] = {
        let entries: [(CURLcode, String, CurlOutcome)] = [
            (CURLE_UNSUPPORTED_PROTOCOL, "UNSUPPORTED_PROTOCOL", .configuration),
            (CURLE_FAILED_INIT, "FAILED_INIT", .stop(.other)),
            (CURLE_URL_MALFORMAT, "URL_MALFORMAT", .configuration),
            (CURLE_NOT_BUILT_IN, "NOT_BUILT_IN", .configuration),
            (CURLE_COULDNT_RESOLVE_PROXY, "COULDNT_RESOLVE_PROXY", .stop(.connection)),
            (CURLE_COULDNT_RESOLVE_HOST, "COULDNT_RESOLVE_HOST", .stop(.connection)),
            (CURLE_COULDNT_CONNECT, "COULDNT_CONNECT", .stop(.connection)),
            // The greeting or the end of data answered with an unexpected code.
            (CURLE_WEIRD_SERVER_REPLY, "WEIRD_SERVER_REPLY", .reply),
            // EHLO and HELO refused.
            (CURLE_REMOTE_ACCESS_DENIED, "REMOTE_ACCESS_DENIED", .reply),
            (CURLE_FTP_ACCEPT_FAILED, "FTP_ACCEPT_FAILED", .stop(.other)),
            (CURLE_FTP_WEIRD_PASS_REPLY, "FTP_WEIRD_PASS_REPLY", .stop(.other)),
            (CURLE_FTP_ACCEPT_TIMEOUT, "FTP_ACCEPT_TIMEOUT", .stop(.other)),
            (CURLE_FTP_WEIRD_PASV_REPLY, "FTP_WEIRD_PASV_REPLY", .stop(.other)),
            (CURLE_FTP_WEIRD_227_FORMAT, "FTP_WEIRD_227_FORMAT", .stop(.other)),
            (CURLE_FTP_CANT_GET_HOST, "FTP_CANT_GET_HOST", .stop(.other)),
            (CURLE_HTTP2, "HTTP2", .stop(.other)),
            (CURLE_FTP_COULDNT_SET_TYPE, "FTP_COULDNT_SET_TYPE", .stop(.other)),
            (CURLE_PARTIAL_FILE, "PARTIAL_FILE", .stop(.other)),
            (CURLE_FTP_COULDNT_RETR_FILE, "FTP_COULDNT_RETR_FILE", .stop(.other)),
            (CURLE_OBSOLETE20, "OBSOLETE20", .stop(.other)),
            (CURLE_QUOTE_ERROR, "QUOTE_ERROR", .stop(.other)),
            (CURLE_HTTP_RETURNED_ERROR, "HTTP_RETURNED_ERROR", .stop(.other)),
            (CURLE_WRITE_ERROR, "WRITE_ERROR", .stop(.other)),
            (CURLE_OBSOLETE24, "OBSOLETE24", .stop(.other)),
            (CURLE_UPLOAD_FAILED, "UPLOAD_FAILED", .reply),
            (CURLE_READ_ERROR, "READ_ERROR", .stop(.other)),
            (CURLE_OUT_OF_MEMORY, "OUT_OF_MEMORY", .stop(.other)),
            (CURLE_OPERATION_TIMEDOUT, "OPERATION_TIMEDOUT", .temporary),
            (CURLE_OBSOLETE29, "OBSOLETE29", .stop(.other)),
            (CURLE_FTP_PORT_FAILED, "FTP_PORT_FAILED", .stop(.other)),
            (CURLE_FTP_COULDNT_USE_REST, "FTP_COULDNT_USE_REST", .stop(.other)),
            (CURLE_OBSOLETE32, "OBSOLETE32", .stop(.other)),
            (CURLE_RANGE_ERROR, "RANGE_ERROR", .stop(.other)),
            (CURLE_HTTP_POST_ERROR, "HTTP_POST_ERROR", .stop(.other)),
            (CURLE_SSL_CONNECT_ERROR, "SSL_CONNECT_ERROR", .stop(.tls)),
            (CURLE_BAD_DOWNLOAD_RESUME, "BAD_DOWNLOAD_RESUME", .stop(.other)),
            (CURLE_FILE_COULDNT_READ_FILE, "FILE_COULDNT_READ_FILE", .configuration),
            (CURLE_LDAP_CANNOT_BIND, "LDAP_CANNOT_BIND", .stop(.other)),
            (CURLE_LDAP_SEARCH_FAILED, "LDAP_SEARCH_FAILED", .stop(.other)),
            (CURLE_OBSOLETE40, "OBSOLETE40", .stop(.other)),
            (CURLE_FUNCTION_NOT_FOUND, "FUNCTION_NOT_FOUND", .stop(.other)),
            (CURLE_ABORTED_BY_CALLBACK, "ABORTED_BY_CALLBACK", .stop(.other)),
            (CURLE_BAD_FUNCTION_ARGUMENT, "BAD_FUNCTION_ARGUMENT", .stop(.other)),
            (CURLE_OBSOLETE44, "OBSOLETE44", .stop(.other)),
            (CURLE_INTERFACE_FAILED, "INTERFACE_FAILED", .configuration),
            (CURLE_OBSOLETE46, "OBSOLETE46", .stop(.other)),
            (CURLE_TOO_MANY_REDIRECTS, "TOO_MANY_REDIRECTS", .stop(.other)),
            (CURLE_UNKNOWN_OPTION, "UNKNOWN_OPTION", .configuration),
            (CURLE_SETOPT_OPTION_SYNTAX, "SETOPT_OPTION_SYNTAX", .configuration),
            (CURLE_OBSOLETE50, "OBSOLETE50", .stop(.other)),
            (CURLE_OBSOLETE51, "OBSOLETE51", .stop(.other)),
            // The server closed the connection without a reply.
            (CURLE_GOT_NOTHING, "GOT_NOTHING", .temporary),
            (CURLE_SSL_ENGINE_NOTFOUND, "SSL_ENGINE_NOTFOUND", .configuration),
            (CURLE_SSL_ENGINE_SETFAILED, "SSL_ENGINE_SETFAILED", .configuration),
            // MAIL, RCPT or DATA refused (with a reply), or the socket failed (without).
            (CURLE_SEND_ERROR, "SEND_ERROR", .reply),
            (CURLE_RECV_ERROR, "RECV_ERROR", .temporary),
            (CURLE_OBSOLETE57, "OBSOLETE57", .stop(.other)),
            (CURLE_SSL_CERTPROBLEM, "SSL_CERTPROBLEM", .configuration),
            (CURLE_SSL_CIPHER, "SSL_CIPHER", .configuration),
            (CURLE_PEER_FAILED_VERIFICATION, "PEER_FAILED_VERIFICATION", .stop(.tls)),
            (CURLE_BAD_CONTENT_ENCODING, "BAD_CONTENT_ENCODING", .stop(.other)),
            (CURLE_OBSOLETE62, "OBSOLETE62", .stop(.other)),
            (CURLE_FILESIZE_EXCEEDED, "FILESIZE_EXCEEDED", .stop(.other)),
            (CURLE_USE_SSL_FAILED, "USE_SSL_FAILED", .stop(.tls)),
            (CURLE_SEND_FAIL_REWIND, "SEND_FAIL_REWIND", .stop(.other)),
            (CURLE_SSL_ENGINE_INITFAILED, "SSL_ENGINE_INITFAILED", .configuration),
            (CURLE_LOGIN_DENIED, "LOGIN_DENIED", .stop(.authentication)),
            (CURLE_TFTP_NOTFOUND, "TFTP_NOTFOUND", .stop(.other)),
            (CURLE_TFTP_PERM, "TFTP_PERM", .stop(.other)),
            (CURLE_REMOTE_DISK_FULL, "REMOTE_DISK_FULL", .stop(.other)),
            (CURLE_TFTP_ILLEGAL, "TFTP_ILLEGAL", .stop(.other)),
            (CURLE_TFTP_UNKNOWNID, "TFTP_UNKNOWNID", .stop(.other)),
            (CURLE_REMOTE_FILE_EXISTS, "REMOTE_FILE_EXISTS", .stop(.other)),
            (CURLE_TFTP_NOSUCHUSER, "TFTP_NOSUCHUSER", .stop(.other)),
            (CURLE_OBSOLETE75, "OBSOLETE75", .stop(.other)),
            (CURLE_OBSOLETE76, "OBSOLETE76", .stop(.other)),
            (CURLE_SSL_CACERT_BADFILE, "SSL_CACERT_BADFILE", .configuration),
            (CURLE_REMOTE_FILE_NOT_FOUND, "REMOTE_FILE_NOT_FOUND", .stop(.other)),
            (CURLE_SSH, "SSH", .stop(.other)),
            (CURLE_SSL_SHUTDOWN_FAILED, "SSL_SHUTDOWN_FAILED", .temporary),
            (CURLE_AGAIN, "AGAIN", .temporary),
            (CURLE_SSL_CRL_BADFILE, "SSL_CRL_BADFILE", .configuration),
            (CURLE_SSL_ISSUER_ERROR, "SSL_ISSUER_ERROR", .stop(.tls)),
            (CURLE_FTP_PRET_FAILED, "FTP_PRET_FAILED", .stop(.other)),
            (CURLE_RTSP_CSEQ_ERROR, "RTSP_CSEQ_ERROR", .stop(.other)),
            (CURLE_RTSP_SESSION_ERROR, "RTSP_SESSION_ERROR", .stop(.other)),
            (CURLE_FTP_BAD_FILE_LIST, "FTP_BAD_FILE_LIST", .stop(.other)),
            (CURLE_CHUNK_FAILED, "CHUNK_FAILED", .stop(.other)),
            (CURLE_NO_CONNECTION_AVAILABLE, "NO_CONNECTION_AVAILABLE", .temporary),
            (CURLE_SSL_PINNEDPUBKEYNOTMATCH, "SSL_PINNEDPUBKEYNOTMATCH", .stop(.tls)),
            (CURLE_SSL_INVALIDCERTSTATUS, "SSL_INVALIDCERTSTATUS", .stop(.tls)),
            (CURLE_HTTP2_STREAM, "HTTP2_STREAM", .stop(.other)),
            (CURLE_RECURSIVE_API_CALL, "RECURSIVE_API_CALL", .stop(.other)),
            (CURLE_AUTH_ERROR, "AUTH_ERROR", .stop(.authentication)),
            (CURLE_HTTP3, "HTTP3", .stop(.other)),
            (CURLE_QUIC_CONNECT_ERROR, "QUIC_CONNECT_ERROR", .stop(.other)),
            (CURLE_PROXY, "PROXY", .stop(.other)),
            (CURLE_SSL_CLIENTCERT, "SSL_CLIENTCERT", .configuration),
            (CURLE_UNRECOVERABLE_POLL, "UNRECOVERABLE_POLL", .stop(.other)),
        ]
        var table: [Int: (name: String, outcome: CurlOutcome)] = [:]
        for (code, name, outcome) in entries { table[Int(code.rawValue)] = (name, outcome) }
        return table
    }()
}
