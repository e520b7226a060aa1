import Hummingbird
import Logging
import NIOCore

/// What a request carries through the router: the core context, and the peer's address
/// (for the login rate limit and `X-Forwarded-For` from trusted proxies).
public struct DeskContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer, without its port; nil in in-process tests.
    public let peer: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}
