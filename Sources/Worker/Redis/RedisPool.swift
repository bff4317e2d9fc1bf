import NIOCore
import Shared

/// The worker's Redis connections (`REDIS_POOL_SIZE`), each used by one pool thread at a time.
final class RedisPool: Sendable {
    private let pool: BlockingPool<RedisConnection>

    /// Creates the pool; connections open lazily (see `warmUp`).
    init(config: Config, metrics: PoolMetrics? = nil) {
        let endpoint = config.redis
        let connectTimeout = Duration.milliseconds(config.connectTimeoutMilliseconds)
        // Reads and writes share one socket timeout in hiredis: the health deadline bounds PING.
        let commandTimeout = Duration.milliseconds(
            min(config.queryTimeoutMilliseconds, config.healthTimeoutMilliseconds)
        )
        self.pool = BlockingPool(
            name: "redis",
            size: config.redisPoolSize,
            maxQueued: config.redisPoolSize * 64,
            connect: {
                try RedisConnection.connect(
                    to: endpoint,
                    connectTimeout: connectTimeout,
                    commandTimeout: commandTimeout
                )
            },
            isUsable: { $0.isUsable },
            metrics: metrics
        )
    }

    /// Runs one command on a pool thread.
    func command(_ arguments: [String], on eventLoop: any EventLoop) -> EventLoopFuture<RedisReply> {
        self.pool.run(on: eventLoop, breaks: Self.breaks) { try $0.command(arguments) }
    }

    /// `PING`, expecting `PONG`.
    func ping(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        self.pool.run(on: eventLoop, breaks: Self.breaks, retryOnStale: true) { try $0.command(["PING"]) }
            .flatMapThrowing { reply in
                guard reply == .status("PONG") else {
                    throw RedisError(kind: .replyError, message: "unexpected PING reply")
                }
            }
    }

    /// Opens a first connection in the background.
    func warmUp(on eventLoop: any EventLoop) { self.pool.warmUp(on: eventLoop) }

    /// Closes every connection.
    func shutdown() { self.pool.shutdown() }

    private static func breaks(_ error: any Error) -> Bool {
        (error as? RedisError)?.breaksConnection ?? true
    }
}
