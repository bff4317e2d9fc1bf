/// The buckets of `saas_api_pool_wait_seconds`, the time an operation waits for a pooled
/// connection. An uncontended borrow is a thread hand-off of tens of microseconds; a saturated
/// pool waits up to its queue deadline (`DB_QUERY_TIMEOUT_MS`, seconds). So the bounds start
/// at 50 µs and end at 10 s, in seconds `[0.00005, 0.0001, 0.00025, …, 5, 10]`, plus `+Inf`.
public enum PoolWaitBuckets {
    /// Upper bounds in nanoseconds, ascending.
    public static let boundsNanoseconds: [UInt64] = [
        50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]
    /// The `le` label of each bucket, `+Inf` last.
    public static let labels = [
        "5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
        "0.5", "1", "2.5", "5", "10", "+Inf",
    ]
    /// Buckets including `+Inf`.
    public static let count = 18

    /// The bucket a wait of `nanoseconds` falls in: the first whose bound is at least it.
    public static func index(nanoseconds: UInt64) -> Int {
        var index = 0
        while index < boundsNanoseconds.count && nanoseconds > boundsNanoseconds[index] { index += 1 }
        return index
    }
}
