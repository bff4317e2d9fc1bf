/// An error from Redis or from talking to it. The description never contains a password.
struct RedisError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong.
    enum Kind: String, Sendable {
        /// Could not connect, or `AUTH`/`SELECT` failed.
        case connectionFailed = "CONNECTION_FAILED"
        /// The connection broke or timed out; it must be discarded.
        case connectionBroken = "CONNECTION_BROKEN"
        /// Redis answered with an error reply (the connection is still fine).
        case replyError = "REPLY_ERROR"
    }

    /// What went wrong.
    let kind: Kind
    /// hiredis' or Redis' message.
    let message: String

    /// `CONNECTION_FAILED: Connection refused`
    var description: String { "\(self.kind.rawValue): \(self.message)" }

    /// Whether the connection must be discarded.
    var breaksConnection: Bool { self.kind != .replyError }
}

/// A Redis reply, copied out of hiredis' `redisReply` before it is freed.
enum RedisReply: Equatable, Sendable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
}
