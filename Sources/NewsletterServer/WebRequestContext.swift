import Hummingbird
import Logging

/// The request context of the service: Hummingbird's core storage and the peer's IP address (for the
/// per-client rate limit).
struct WebRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The IP address of the connection's peer (the reverse proxy, usually), if known.
    let peerAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Form bodies are small: a few fields.
    var maxUploadSize: Int { FormBody.maximumBytes }
}
