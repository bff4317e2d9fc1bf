import Testing

@testable import Shared

#if canImport(Glibc)
import Glibc
#endif

@Suite("Metrics region in shared memory")
struct MetricsRegionTests {
    @Test func layoutFitsWholePagesAndKeysRoundTrip() {
        #expect(MetricsLayout.byteCount % 4096 == 0)
        #expect(
            MetricsLayout.seriesOffset + MetricsLayout.seriesCapacity * MetricsLayout.seriesWords <= MetricsLayout
                .byteCount / 8
        )
        #expect(MetricsLayout.Word.allCases.allSatisfy { $0.rawValue < MetricsLayout.headerWords })
        for (method, status, route) in [(0, UInt(200), Int?(3)), (HTTPMethodLabel.other, 599, nil), (2, 100, 63)] {
            let key = MetricsLayout.seriesKey(method: method, status: status, route: route)
            #expect(key != 0)
            let decoded = MetricsLayout.decode(key: key)
            #expect(decoded.method == method && decoded.status == UInt16(status) && decoded.route == route)
        }
    }

    @Test func aSecondMappingOfTheMemfdSeesTheWorkersCounts() throws {
        let supervisorSide = try MetricsRegion.create()
        // The worker's side: the same memfd mapped again, as after the spawn's dup2.
        let worker = try #require(MetricsRegion.adopt(fd: dup(supervisorSide.fd)))
        worker.publishRoutes(["/health/live", "/health"])
        let get = MetricsLayout.seriesKey(method: 0, status: 200, route: 0)
        worker.requestStarted()
        worker.requestStarted()
        worker.requestFinished(key: get, nanoseconds: 1_000_000)  // 1 ms: first bucket
        #expect(supervisorSide.active == 1)
        worker.requestFinished(key: get, nanoseconds: 30_000_000)  // 30 ms: the 0.05 bucket
        worker.requestStarted()
        worker.requestFinished(key: MetricsLayout.seriesKey(method: 9, status: 404, route: nil), nanoseconds: 2)

        #expect(supervisorSide.active == 0)
        #expect(supervisorSide.routes() == ["/health/live", "/health"])
        #expect(supervisorSide.requestCount() == 3)
        let series = supervisorSide.requestSeries()
        let live = try #require(series[RequestSeriesKey(method: 0, status: 200, route: "/health/live")])
        #expect(live.count == 2)
        #expect(live.buckets[0] == 1 && live.buckets[3] == 1)
        #expect(live.sumNanoseconds == 31_000_000)
        #expect(series[RequestSeriesKey(method: 9, status: 404, route: nil)]?.count == 1)
    }

    @Test func adoptRefusesAnythingButARegion() throws {
        let fd = wrongSizeMemfd()
        defer { close(fd) }
        #expect(MetricsRegion.adopt(fd: fd) == nil)  // empty: wrong size, no magic
        #expect(MetricsRegion.adopt(fd: 999) == nil)  // not open
    }

    @Test func aFullSeriesTableCountsDroppedRequestsInsteadOfLosingThem() {
        let region = MetricsRegion.anonymous()
        for status in 0..<(MetricsLayout.seriesCapacity + 5) {
            region.requestStarted()
            region.requestFinished(
                key: MetricsLayout.seriesKey(method: 0, status: UInt(status), route: nil),
                nanoseconds: 1
            )
        }
        #expect(region.requestSeries().count == MetricsLayout.seriesCapacity)
        #expect(region.value(.dropped) == 5)
        #expect(region.requestCount() == UInt64(MetricsLayout.seriesCapacity + 5))
    }

    @Test func foldingExitedRegionsKeepsTotalsMonotonic() {
        var totals = RequestTotals()
        let key = MetricsLayout.seriesKey(method: 2, status: 201, route: 0)
        let first = MetricsRegion.anonymous()
        first.publishRoutes(["/v1/things"])
        for _ in 0..<3 {
            first.requestStarted()
            first.requestFinished(key: key, nanoseconds: 5_000_000)
        }
        let beforeExit = totals.adding([first]).series.values.reduce(0) { $0 + $1.count }
        // The worker is killed: its last counts are folded, the replacement starts at zero.
        totals.fold(first)
        let replacement = MetricsRegion.anonymous()
        replacement.publishRoutes(["/v1/things"])
        let afterExit = totals.adding([replacement]).series.values.reduce(0) { $0 + $1.count }
        #expect(beforeExit == 3 && afterExit == 3)
        replacement.requestStarted()
        replacement.requestFinished(key: key, nanoseconds: 5_000_001)  // just past 5 ms: second bucket
        let merged = totals.adding([replacement]).series[RequestSeriesKey(method: 2, status: 201, route: "/v1/things")]
        #expect(merged?.count == 4)
        #expect(merged?.buckets[0] == 3 && merged?.buckets[1] == 1)
    }
}

/// A memfd of the wrong size: a region's, truncated after its mapping went away.
private func wrongSizeMemfd() -> Int32 {
    var fd: Int32 = -1
    do {
        let region = try MetricsRegion.create()
        fd = dup(region.fd)
    } catch {
        return -1
    }
    ftruncate(fd, 4096)
    return fd
}
