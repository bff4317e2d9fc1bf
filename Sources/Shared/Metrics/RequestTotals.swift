/// The request histogram of workers that are gone: when a worker exits, the supervisor folds
/// its region's last counts in here, so the sum over live regions plus these totals never goes
/// down and `rate()` sees no drop when a worker crashes, is killed or is replaced.
public struct RequestTotals: Equatable, Sendable {
    /// Counts per series.
    public private(set) var series: [RequestSeriesKey: HistogramCounts] = [:]
    /// Requests dropped because a worker's series table was full.
    public private(set) var dropped: UInt64 = 0

    /// Empty totals.
    public init() {}

    /// Adds the counts of `region`: call once per region, after its worker exited.
    public mutating func fold(_ region: MetricsRegion) {
        self.fold(region.requestSeries(), dropped: region.value(.dropped))
    }

    /// Adds `series` (one region's counts).
    public mutating func fold(_ series: [RequestSeriesKey: HistogramCounts], dropped: UInt64 = 0) {
        for (key, counts) in series { self.series[key, default: HistogramCounts()].add(counts) }
        self.dropped &+= dropped
    }

    /// These totals plus the live `regions`: what a scrape shows.
    ///
    /// Regions with the same route table (workers of one build) are summed by raw series key
    /// into one flat array first, so 256 workers cost integer-keyed additions, not 256
    /// dictionaries of string-keyed series.
    public func adding(_ regions: some Sequence<MetricsRegion>) -> RequestTotals {
        var result = self
        var groups: [[String]: [MetricsRegion]] = [:]
        for region in regions {
            groups[region.routes(), default: []].append(region)
            result.dropped &+= region.value(.dropped)
        }
        for (routes, members) in groups {
            var sums = SeriesSums()
            for region in members { region.accumulate(into: &sums) }
            for (key, offset) in sums.offsets {
                let parts = MetricsLayout.decode(key: key)
                let route = parts.route.flatMap { $0 < routes.count && !routes[$0].isEmpty ? routes[$0] : nil }
                let method = HTTPMethodLabel.names.indices.contains(parts.method) ? parts.method : HTTPMethodLabel.other
                var counts = HistogramCounts()
                for bucket in 0..<DurationBuckets.count { counts.buckets[bucket] = sums.words[offset + bucket] }
                counts.sumNanoseconds = sums.words[offset + DurationBuckets.count]
                result.series[
                    RequestSeriesKey(method: method, status: parts.status, route: route),
                    default: HistogramCounts()
                ]
                .add(counts)
            }
        }
        return result
    }
}

/// Series counts summed by raw key: `offsets[key]` is where its buckets and sum start in `words`.
public struct SeriesSums {
    /// Buckets then sum, `DurationBuckets.count + 1` words per series.
    public var words: [UInt64] = []
    /// Series key → first word.
    public var offsets: [UInt64: Int] = [:]

    /// Empty sums.
    public init() {}
}
