import Testing

@testable import Shared

@Suite("Histogram buckets and the Prometheus text format")
struct HistogramAndTextTests {
    @Test(
        "durations fall in the first bucket whose bound is at least them (le)",
        arguments: [
            (UInt64(0), 0), (5_000_000, 0), (5_000_001, 1), (10_000_000, 1), (99_999_999, 5), (100_000_000, 5),
            (1_000_000_000, 9), (9_999_999_999, 13), (10_000_000_000, 13), (10_000_000_001, 14), (UInt64.max, 14),
        ]
    )
    func bucketIndex(nanoseconds: UInt64, bucket: Int) {
        #expect(DurationBuckets.index(nanoseconds: nanoseconds) == bucket)
    }

    @Test func bucketsAreTheOpenTelemetryAdvisedOnes() {
        #expect(
            DurationBuckets.labels.dropLast().map { Double($0)! } == [
                0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
            ]
        )
        #expect(
            DurationBuckets.boundsNanoseconds.map { Double($0) / 1e9 }
                == DurationBuckets.labels.dropLast().map { Double($0)! }
        )
        #expect(DurationBuckets.count == DurationBuckets.labels.count)
    }

    @Test func quantilesInterpolateInsideTheirBucket() {
        var counts = HistogramCounts()
        #expect(counts.quantile(0.5) == nil)
        for _ in 0..<100 { counts.observe(nanoseconds: 1_000_000) }  // all in (0, 5 ms]
        #expect(counts.quantile(0.5) == 0.0025)
        counts.observe(nanoseconds: 20_000_000_000)  // +Inf: capped at the last bound
        #expect(counts.quantile(1) == 10)
    }

    @Test func methodsOutsideTheSetAreOther() {
        #expect(HTTPMethodLabel.index(of: "GET") == 0)
        #expect(HTTPMethodLabel.index(of: "PROPFIND") == HTTPMethodLabel.other)
        #expect(HTTPMethodLabel.index(of: "_OTHER") == HTTPMethodLabel.other)
        #expect(HTTPMethodLabel.names[HTTPMethodLabel.other] == "_OTHER")
    }

    @Test func writerEmitsHelpTypeAndEscapedLabels() {
        var writer = PrometheusTextWriter()
        writer.family("x_total", .counter, help: "A \\ help\nline.")
        writer.sample("x_total", [("path", "a\"b\\c\nd")], UInt64(3))
        writer.sample("x_seconds", [], 0.25)
        writer.sample("x_seconds", [("le", "+Inf")], Double.infinity)
        writer.sample("x_whole", [], 2.0)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(
            text == """
                # HELP x_total A \\\\ help\\nline.
                # TYPE x_total counter
                x_total{path="a\\"b\\\\c\\nd"} 3
                x_seconds 0.25
                x_seconds{le="+Inf"} +Inf
                x_whole 2

                """
        )
    }

    @Test func requestHistogramIsCumulativeWithSumAndCount() {
        var series = HistogramCounts()
        series.observe(nanoseconds: 3_000_000)
        series.observe(nanoseconds: 60_000_000)
        var totals = RequestTotals()
        totals.fold([RequestSeriesKey(method: 0, status: 200, route: "/health"): series])
        totals.fold([RequestSeriesKey(method: HTTPMethodLabel.other, status: 404, route: nil): series])
        var writer = PrometheusTextWriter()
        writer.requestDurations(totals)
        let lines = String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines[0] == "# HELP http_server_request_duration_seconds Duration of HTTP server requests.")
        #expect(lines[1] == "# TYPE http_server_request_duration_seconds histogram")
        // Unmatched routes carry no http_route label and sort first.
        #expect(
            lines[2]
                == #"http_server_request_duration_seconds_bucket{http_request_method="_OTHER",http_response_status_code="404",le="0.005"} 1"#
        )
        let routed = #"{http_request_method="GET",http_response_status_code="200",http_route="/health""#
        #expect(lines.contains(Substring("http_server_request_duration_seconds_bucket\(routed),le=\"0.05\"} 1")))
        #expect(lines.contains(Substring("http_server_request_duration_seconds_bucket\(routed),le=\"0.075\"} 2")))
        #expect(lines.contains(Substring("http_server_request_duration_seconds_bucket\(routed),le=\"+Inf\"} 2")))
        #expect(lines.contains(Substring("http_server_request_duration_seconds_sum\(routed)} 0.063")))
        #expect(lines.contains(Substring("http_server_request_duration_seconds_count\(routed)} 2")))
        #expect(lines.count == 2 + 2 * (DurationBuckets.count + 2))
    }
}
