/// The request-duration histogram's buckets: OpenTelemetry's advised boundaries for
/// `http.server.request.duration`, in seconds `[0.005, 0.01, …, 7.5, 10]`, plus `+Inf`.
public enum DurationBuckets {
    /// Upper bounds in nanoseconds, ascending.
    public static let boundsNanoseconds: [UInt64] = [
        5_000_000, 10_000_000, 25_000_000, 50_000_000, 75_000_000, 100_000_000, 250_000_000, 500_000_000,
        750_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 7_500_000_000, 10_000_000_000,
    ]
    /// The `le` label of each bucket, `+Inf` last.
    public static let labels = [
        "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "5", "7.5", "10", "+Inf",
    ]
    /// Buckets including `+Inf`.
    public static let count = 15

    /// The bucket a duration of `nanoseconds` falls in: the first whose bound is at least it
    /// (Prometheus buckets are `le`, upper-inclusive). Most requests take under 5 ms and stop
    /// at the first comparison.
    @inlinable
    public static func index(nanoseconds: UInt64) -> Int {
        var index = 0
        while index < boundsNanoseconds.count && nanoseconds > boundsNanoseconds[index] { index += 1 }
        return index
    }
}
