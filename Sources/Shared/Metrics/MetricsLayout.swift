/// The layout of one worker's metrics region: a shared memory block the supervisor creates
/// before spawning the worker, which the worker writes with relaxed atomics and the supervisor
/// reads at scrape time without asking the worker. Everything is a `UInt64` word.
///
/// ```
/// words 0..<32      header: magic, active requests, route count, dropped, gauges (`Word`)
/// words 32..<800    route templates: 64 × 12 words (length byte + up to 95 bytes of UTF-8)
/// words 800..<5408  request series: 256 × 18 words (key, 15 bucket counts, sum in ns, spare)
/// words 5408..<5446 pool waits: PostgreSQL, Redis × 19 words (18 bucket counts, sum in ns)
/// ```
///
/// A series key packs the method (`HTTPMethodLabel` index + 1), the status code and the route
/// (id + 1, 0 = no route) into one word, so a key is never 0 (the mark of a free entry). The
/// request count of a series is the sum of its buckets: a scrape that races a request never
/// sees `count` disagree with the `+Inf` bucket.
public enum MetricsLayout {
    /// Header words.
    public enum Word: Int, CaseIterable, Sendable {
        /// `MetricsLayout.magic`, set when the region is created.
        case magic = 0
        /// Requests being handled now (wrapping add and subtract).
        case active = 1
        /// How many route templates are published (release store after writing them).
        case routeCount = 2
        /// Requests not recorded because the series table was full.
        case dropped = 3
        /// `/health`'s last view of PostgreSQL: 0 unknown, 1 down, 2 up.
        case postgresUp = 4
        /// `/health`'s last view of Redis: 0 unknown, 1 down, 2 up.
        case redisUp = 5
        /// PostgreSQL connections open and idle in the pool.
        case postgresIdle = 6
        /// PostgreSQL connections lent out.
        case postgresUsed = 7
        /// Redis connections open and idle in the pool.
        case redisIdle = 8
        /// Redis connections lent out.
        case redisUsed = 9
        /// PostgreSQL borrows refused because the pool was full.
        case postgresExhausted = 10
        /// Redis borrows refused because the pool was full.
        case redisExhausted = 11
        /// PostgreSQL connections that failed to open.
        case postgresConnectFailures = 12
        /// Redis connections that failed to open.
        case redisConnectFailures = 13
        /// Round trips that carried queued one-statement PostgreSQL transactions (batches).
        case postgresBatches = 14
        /// The transactions those round trips carried.
        case postgresBatchedTransactions = 15
    }

    /// Marks an initialised region of this layout ("saasmet1").
    public static let magic: UInt64 = 0x7361_6173_6D65_7431
    /// Words before the route table.
    @usableFromInline static let headerWords = 32
    /// Route templates a region can name; routes beyond are recorded without a route label.
    public static let maxRoutes = 64
    /// Words per route template.
    @usableFromInline static let routeWords = 12
    /// Longest route template in bytes (one byte of the entry holds the length).
    public static let maxRouteBytes = routeWords * 8 - 1
    /// Request series (method × status × route) one worker can hold.
    public static let seriesCapacity = 256
    /// Words per series: key, buckets, sum, spare.
    @usableFromInline static let seriesWords = 18
    /// First word of the route table.
    @usableFromInline static let routesOffset = headerWords
    /// First word of the series table.
    @usableFromInline static let seriesOffset = routesOffset + maxRoutes * routeWords
    /// Offset of the first bucket counter inside a series entry.
    @usableFromInline static let bucketsOffset = 1
    /// Offset of the sum of durations (nanoseconds) inside a series entry.
    @usableFromInline static let sumOffset = bucketsOffset + DurationBuckets.count
    /// The connection pools with a wait histogram (`saas_api_pool_wait_seconds`).
    public enum Pool: Int, CaseIterable, Sendable {
        case postgres, redis

        /// The `pool` label.
        public var name: String {
            switch self {
            case .postgres: "postgres"
            case .redis: "redis"
            }
        }
    }
    /// First word of the pool-wait histograms.
    @usableFromInline static let poolWaitsOffset = seriesOffset + seriesCapacity * seriesWords
    /// Words per pool-wait histogram: buckets, then the sum of waits in nanoseconds.
    @usableFromInline static let poolWaitWords = PoolWaitBuckets.count + 1
    /// The region's size in bytes, a whole number of pages.
    public static let byteCount = ((poolWaitsOffset + Pool.allCases.count * poolWaitWords) * 8 + 4095) / 4096 * 4096

    /// First word of `pool`'s wait histogram.
    static func poolWaitOffset(_ pool: Pool) -> Int {
        poolWaitsOffset + pool.rawValue * poolWaitWords
    }

    /// The key of the series for `method` (a `HTTPMethodLabel` index), `status` and `route`
    /// (a route id, or `nil` for a request no route matched).
    @inlinable
    public static func seriesKey(method: Int, status: UInt, route: Int?) -> UInt64 {
        let routeBits = route.map { UInt64($0 + 1) } ?? 0
        return UInt64(method + 1) | UInt64(min(status, 999)) << 4 | routeBits << 14
    }

    /// The parts of a series key: method index, status, route id.
    public static func decode(key: UInt64) -> (method: Int, status: UInt16, route: Int?) {
        let method = Int(key & 0xF) - 1
        let status = UInt16((key >> 4) & 0x3FF)
        let route = Int(key >> 14)
        return (method, status, route == 0 ? nil : route - 1)
    }
}
