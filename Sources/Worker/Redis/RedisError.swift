/// An error from Redis or from talking to it. The description never contains a password.
public struct RedisError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Kind: String, Sendable {
        /// Could not connect, or `AUTH`/`SELECT` failed.
        case connectionFailed = "CONNECTION_FAILED"
        /// The connection broke or timed out; it must be discarded.
        case connectionBroken = "CONNECTION_BROKEN"
        /// Redis answered with an error reply (the connection is still fine).
        case replyError = "REPLY_ERROR"
    }

    /// What went wrong.
    public let kind: Kind
    /// hiredis' or Redis' message.
    public let message: String

    /// `CONNECTION_FAILED: Connection refused`
    public var description: String { "\(self.kind.rawValue): \(self.message)" }

    /// Whether the connection must be discarded.
    public var breaksConnection: Bool { self.kind != .replyError }
}

/// A Redis reply, copied out of hiredis' `redisReply` before it is freed.
public enum RedisReply: Equatable, Sendable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
}
