import NIOCore
import NIOHTTP1
import Shared

/// The per-connection limits of the HTTP layer, taken once from `Config` so the codec, the
/// request checks and the timers agree on them.
///
/// Size limits are enforced in two places that cost nothing for a well-formed request: NIO's
/// decoder (it stops buffering a head beyond `decoderLimits`: 431) and one pass over the
/// decoded head (`RequestHeadCheck`: exact URL and header-byte limits).
public struct HTTPLimits: Sendable, Equatable {
    /// Largest request target in bytes (`MAX_URL_LENGTH`).
    public var maxURLLength: Int
    /// Largest total of header names and values in bytes (`MAX_HEADER_BYTES`).
    public var maxHeaderBytes: Int
    /// Most header fields (`MAX_HEADER_COUNT`).
    public var maxHeaderCount: Int
    /// Largest body in bytes (`MAX_BODY_SIZE`).
    public var maxBodySize: Int
    /// Time for a started head to arrive (`HEADER_TIMEOUT_MS`).
    public var headerTimeout: TimeAmount
    /// Time for a body to arrive after its head (`BODY_TIMEOUT_MS`).
    public var bodyTimeout: TimeAmount
    /// Idle time of a keep-alive connection between requests (`KEEPALIVE_TIMEOUT_MS`).
    public var keepAliveTimeout: TimeAmount
    /// Time a handler may take (`HANDLER_TIMEOUT_MS`).
    public var handlerTimeout: TimeAmount
    /// How long a connection closed after an error keeps draining the client's input, so the
    /// client reads the error instead of a reset.
    public var lingerTimeout: TimeAmount

    /// The limits of `config`.
    public init(config: Config) {
        self.maxURLLength = config.maxURLLength
        self.maxHeaderBytes = config.maxHeaderBytes
        self.maxHeaderCount = config.maxHeaderCount
        self.maxBodySize = config.maxBodySize
        self.headerTimeout = .milliseconds(Int64(config.headerTimeoutMilliseconds))
        self.bodyTimeout = .milliseconds(Int64(config.bodyTimeoutMilliseconds))
        self.keepAliveTimeout = .milliseconds(Int64(config.keepAliveTimeoutMilliseconds))
        self.handlerTimeout = .milliseconds(Int64(config.handlerTimeoutMilliseconds))
        self.lingerTimeout = .seconds(2)
    }

    /// NIO's decoder limits. NIO counts the request target with the headers, so the decoder
    /// allows both budgets together; `RequestHeadCheck` then holds each part to its own.
    public var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = self.maxURLLength + self.maxHeaderBytes
        limits.maxHeaderFieldSize = limits.maxHeaderListSize
        limits.maxHeaderFieldCount = self.maxHeaderCount
        return limits
    }
}
