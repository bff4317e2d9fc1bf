/// One request series of the duration histogram: `http_request_method`,
/// `http_response_status_code`, `http_route` (the template, or `nil` when no route matched).
public struct RequestSeriesKey: Hashable, Sendable, Comparable {
    /// A `HTTPMethodLabel` index.
    public var method: Int
    /// The response status code.
    public var status: UInt16
    /// The route template.
    public var route: String?

    /// Creates a key.
    public init(method: Int, status: UInt16, route: String?) {
        self.method = method
        self.status = status
        self.route = route
    }

    /// Route, then method, then status: a stable order for the exposition.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.route ?? "", lhs.method, lhs.status) < (rhs.route ?? "", rhs.method, rhs.status)
    }
}

/// The counts of one histogram: per bucket (not cumulative; `+Inf` last) and the sum.
public struct HistogramCounts: Equatable, Sendable {
    /// Observations per bucket, `DurationBuckets.count` of them.
    public var buckets: [UInt64]
    /// The sum of the observed durations in nanoseconds.
    public var sumNanoseconds: UInt64 = 0

    /// Empty counts of the request histogram (`DurationBuckets`).
    public init() {
        self.buckets = Array(repeating: 0, count: DurationBuckets.count)
    }

    /// Empty counts of a histogram with `bucketCount` buckets (`+Inf` included), e.g.
    /// `PoolWaitBuckets`; `observe` and `quantile` are for `DurationBuckets` only.
    public init(bucketCount: Int) {
        self.buckets = Array(repeating: 0, count: bucketCount)
    }

    /// Observations in all: the `+Inf` bucket and `_count`.
    public var count: UInt64 { self.buckets.reduce(0, &+) }

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: HistogramCounts) {
        for index in self.buckets.indices { self.buckets[index] &+= other.buckets[index] }
        self.sumNanoseconds &+= other.sumNanoseconds
    }

    /// Records one observation (for tests and benchmarks; workers write the region).
    public mutating func observe(nanoseconds: UInt64) {
        self.buckets[DurationBuckets.index(nanoseconds: nanoseconds)] &+= 1
        self.sumNanoseconds &+= nanoseconds
    }

    /// The `q` quantile in seconds, interpolated linearly inside its bucket as Prometheus's
    /// `histogram_quantile` does; `nil` without observations. In the `+Inf` bucket it is the
    /// highest finite bound.
    public func quantile(_ q: Double) -> Double? {
        let total = self.count
        guard total > 0 else { return nil }
        let rank = q * Double(total)
        var below: UInt64 = 0
        for (index, count) in self.buckets.enumerated() {
            guard Double(below + count) >= rank, count > 0 else {
                below += count
                continue
            }
            guard index < DurationBuckets.boundsNanoseconds.count else { break }
            let lower = index == 0 ? 0 : Double(DurationBuckets.boundsNanoseconds[index - 1])
            let upper = Double(DurationBuckets.boundsNanoseconds[index])
            return (lower + (upper - lower) * (rank - Double(below)) / Double(count)) / 1e9
        }
        return Double(DurationBuckets.boundsNanoseconds.last!) / 1e9
    }
}
