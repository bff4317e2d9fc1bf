import NIOCore
import Shared

/// The per-connection limits of the HTTP layer, taken once from `Config` so the codec, the
/// request checks and the timers agree on them.
///
/// Size limits cost nothing for a well-formed request: the parser stops buffering a head
/// beyond what the limits allow together (431, or 414 for an endless request line) and counts
/// fields as it goes; `RequestHeadCheck` then holds the URL and header bytes to their own limits.
struct HTTPLimits: Sendable, Equatable {
    /// Largest request target in bytes (`MAX_URL_LENGTH`).
    var maxURLLength: Int
    /// Largest total of header names and values in bytes (`MAX_HEADER_BYTES`).
    var maxHeaderBytes: Int
    /// Most header fields (`MAX_HEADER_COUNT`).
    var maxHeaderCount: Int
    /// Largest body in bytes (`MAX_BODY_SIZE`).
    var maxBodySize: Int
    /// Time for a started head to arrive (`HEADER_TIMEOUT_MS`).
    var headerTimeout: TimeAmount
    /// Time for a body to arrive after its head (`BODY_TIMEOUT_MS`).
    var bodyTimeout: TimeAmount
    /// Idle time of a keep-alive connection between requests (`KEEPALIVE_TIMEOUT_MS`).
    var keepAliveTimeout: TimeAmount
    /// Time a handler may take (`HANDLER_TIMEOUT_MS`).
    var handlerTimeout: TimeAmount
    /// How long a connection closed after an error keeps draining the client's input, so the
    /// client reads the error instead of a reset.
    var lingerTimeout: TimeAmount

    /// The limits of `config`.
    init(config: Config) {
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
}
