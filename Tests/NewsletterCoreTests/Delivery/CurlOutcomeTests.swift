import CCurl
import Testing

@testable import NewsletterCore

/// Every `CURLcode` is in one table; a code it does not know stops the run and is never retried (issue 12).
struct CurlOutcomeTests {
    @Test("The table knows every code curl.h defines")
    func complete() {
        for raw in 1..<CURL_LAST.rawValue {
            #expect(CurlOutcome.knows(CURLcode(rawValue: raw)), "curl code \(raw) is not in the table")
        }
    }

    @Test("Codes and what they mean for the run", arguments: [
        (CURLE_URL_MALFORMAT, CurlOutcome.configuration),
        (CURLE_UNSUPPORTED_PROTOCOL, .configuration),
        (CURLE_SSL_CACERT_BADFILE, .configuration),
        (CURLE_COULDNT_CONNECT, .stop(.connection)),
        (CURLE_PEER_FAILED_VERIFICATION, .stop(.tls)),
        (CURLE_LOGIN_DENIED, .stop(.authentication)),
        (CURLE_OUT_OF_MEMORY, .stop(.other)),
        (CURLE_OPERATION_TIMEDOUT, .temporary),
        (CURLE_RECV_ERROR, .temporary),
        (CURLE_GOT_NOTHING, .temporary),
        (CURLE_SEND_ERROR, .reply),
        (CURLE_WEIRD_SERVER_REPLY, .reply),
        (CURLcode(rawValue: 4242), .stop(.other)),
    ])
    func table(code: CURLcode, outcome: CurlOutcome) {
        #expect(CurlOutcome.of(code) == outcome)
    }

    @Test("A malformed URL (curl 3) stops the run as a configuration error, never a retry")
    func malformedURL() {
        guard case .fatal(let error) = SMTPTransport.classify(code: CURLE_URL_MALFORMAT, reply: 0, errorText: "") else {
            Issue.record("curl 3 is not a stop")
            return
        }
        #expect(error("smtp://x", "d") == .configuration(server: "smtp://x", detail: "d"))
    }

    @Test("A code the table does not know stops the run")
    func unknownCode() {
        guard case .fatal(let error) = SMTPTransport.classify(code: CURLcode(rawValue: 4242), reply: 451, errorText: "") else {
            Issue.record("an unknown code is not a stop")
            return
        }
        #expect(error("s", "d") == .stopped(server: "s", detail: "d"))
    }

    @Test("After the whole message went out, a timeout or a dropped connection leaves the outcome unknown; a 4xx or 5xx reply decides")
    func afterEndOfData() {
        for code in [CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_GOT_NOTHING] {
            guard case .unknown(let fatal) = SMTPTransport.classify(code: code, reply: 354, errorText: "", uploadedEverything: true) else {
                Issue.record("curl \(code.rawValue) after the end of data is not unknown")
                continue
            }
            #expect(fatal == nil)
        }
        guard case .temporary = SMTPTransport.classify(code: CURLE_WEIRD_SERVER_REPLY, reply: 451, errorText: "", uploadedEverything: true) else {
            Issue.record("a 451 to the end of data is not temporary")
            return
        }
        guard case .permanent = SMTPTransport.classify(code: CURLE_WEIRD_SERVER_REPLY, reply: 554, errorText: "", uploadedEverything: true) else {
            Issue.record("a 554 to the end of data is not permanent")
            return
        }
        guard case .temporary = SMTPTransport.classify(code: CURLE_OPERATION_TIMEDOUT, reply: 250, errorText: "", uploadedEverything: false) else {
            Issue.record("a timeout before the end of data is not temporary")
            return
        }
    }
}
