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
    public func adding(_ regions: some Sequence<MetricsRegion>) -> RequestTotals {
        var result = self
        for region in regions { result.fold(region) }
        return result
    }
}
