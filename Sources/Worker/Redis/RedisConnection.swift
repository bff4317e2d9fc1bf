import CHiredis
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// One hiredis connection, owning its `redisContext`.
///
/// Blocking, bounded by the socket timeouts set at connect: run it on a pool thread. Not safe
/// for concurrent use (`@unchecked Sendable`: the pool hands it to one user at a time).
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    private var broken = false

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(self.context)
    }

    /// Connects within `connectTimeout`, then applies `commandTimeout` to every read and write,
    /// and runs `AUTH` and `SELECT` as the endpoint asks.
    static func connect(
        to endpoint: RedisEndpoint,
        connectTimeout: Duration,
        commandTimeout: Duration
    ) throws(RedisError) -> RedisConnection {
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), timeval(connectTimeout)) else {
            throw RedisError(kind: .connectionFailed, message: "out of memory")
        }
        let connection = RedisConnection(context: context)  // frees the context on every path
        if context.pointee.err != 0 {
            throw RedisError(kind: .connectionFailed, message: connection.errorText)
        }
        redisSetTimeout(context, timeval(commandTimeout))
        do throws(RedisError) {
            if let password = endpoint.password { try connection.command(["AUTH", password]) }
            if endpoint.database != 0 { try connection.command(["SELECT", String(endpoint.database)]) }
        } catch {
            throw RedisError(kind: .connectionFailed, message: error.message)
        }
        return connection
    }

    /// Whether the connection can be used.
    var isUsable: Bool {
        !self.broken && self.context.pointee.err == 0
    }

    /// Sends one command (binary-safe arguments) and returns its reply.
    @discardableResult
    func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        let lengths = arguments.map { $0.utf8.count }
        let raw: UnsafeMutableRawPointer? = withCStringArray(arguments) { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                UnsafeMutableRawPointer(
                    saas_redis_command_argv(self.context, Int32(arguments.count), argv, argvlen.baseAddress)
                )
            }
        }
        guard let raw else {
            self.broken = true
            throw RedisError(kind: .connectionBroken, message: self.errorText)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        if reply.pointee.type == REDIS_REPLY_ERROR {
            throw RedisError(kind: .replyError, message: Self.text(reply))
        }
        return Self.copy(reply)
    }

    private var errorText: String {
        withUnsafeBytes(of: self.context.pointee.errstr) { buffer in
            let bytes = buffer.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func text(_ reply: UnsafeMutablePointer<redisReply>) -> String {
        guard let str = reply.pointee.str else { return "" }
        let buffer = UnsafeRawBufferPointer(start: str, count: Int(reply.pointee.len))
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        switch reply.pointee.type {
        case REDIS_REPLY_STRING: return .string(text(reply))
        case REDIS_REPLY_STATUS: return .status(text(reply))
        case REDIS_REPLY_INTEGER: return .integer(reply.pointee.integer)
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            for index in 0..<Int(reply.pointee.elements) {
                if let element = reply.pointee.element[index] { items.append(copy(element)) }
            }
            return .array(items)
        default: return .null
        }
    }
}

private func timeval(_ duration: Duration) -> timeval {
    let (seconds, attoseconds) = duration.components
    return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
}
