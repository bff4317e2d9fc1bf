import Glibc
import Shared
import Testing

@testable import Supervisor

/// How long rendering `/metrics` takes at 4 and 256 workers, each with a realistic number of
/// series. Prints the figure (the issue asks for it); asserts only the content, never a time.
@Suite("Scrape render time")
struct ScrapeRenderTimeTests {
    @Test(arguments: [4, 256])
    func rendersEveryWorkersSeries(workers: Int) {
        var harness = PolicyHarness(workers: workers)
        harness.tick()
        let ledger = MetricsLedger()
        let routes = (0..<20).map { "/v1/resource\($0)/{id}" }
        for pid in harness.policy.workers.keys {
            let region = MetricsRegion.anonymous()
            region.publishRoutes(routes)
            // 20 routes × 2 methods × 2 statuses: 80 series per worker.
            for route in 0..<20 {
                for (method, status) in [(0, UInt(200)), (2, 201), (0, 404), (2, 422)] {
                    region.requestStarted()
                    region.requestFinished(
                        key: MetricsLayout.seriesKey(method: method, status: status, route: route),
                        nanoseconds: UInt64(route) * 3_000_000
                    )
                }
            }
            ledger.spawned(pid: pid, slot: harness.policy.workers[pid]!.slot, region: region, now: 0)
        }
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let rounds = 5
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                bytes = MetricsExposition.render(policy: harness.policy, ledger: ledger, pid: getpid())
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        print("scrape render with \(workers) workers: \(elapsed / rounds) per scrape, \(bytes.count) bytes")
        #expect(text.contains(#"saas_api_workers{state="starting"} \#(workers)"#))
        let counts = text.split(separator: "\n").filter { $0.hasPrefix("http_server_request_duration_seconds_count") }
        #expect(counts.count == 80)
        #expect(counts.allSatisfy { $0.hasSuffix(" \(workers)") })
    }
}
