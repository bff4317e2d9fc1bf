import Foundation
import Logging
import NIOHTTP1
import Shared
import Testing

@testable import Worker

@Suite("Request metrics and trace context on the HTTP path")
struct RequestMetricsTests {
    @Test func everyAnsweredRequestLandsInItsSeriesWithTheRouteTemplate() throws {
        let harness = try HTTPHarness()
        var router = Router()
        HTTPHarness.testRoutes(&router)
        let region = harness.services.counters.region
        region.publishRoutes(router.templates)
        _ = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        try harness.send("HEAD /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.runPending()
        #expect(try harness.responses(headRequests: 1).count == 1)
        _ = try harness.exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try harness.exchange("DELETE /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try harness.exchange("PURGE /ok HTTP/1.1\r\nHost: x\r\n\r\n")  // 501 from the parser: _OTHER
        let series = region.requestSeries()
        #expect(series[RequestSeriesKey(method: 0, status: 200, route: "/ok")]?.count == 1)
        #expect(series[RequestSeriesKey(method: 1, status: 200, route: "/ok")]?.count == 1)
        #expect(series[RequestSeriesKey(method: 0, status: 404, route: nil)]?.count == 1)  // no raw path
        #expect(series[RequestSeriesKey(method: 4, status: 405, route: nil)]?.count == 1)
        #expect(series[RequestSeriesKey(method: HTTPMethodLabel.other, status: 501, route: nil)]?.count == 1)
        #expect(region.active == 0)
        #expect(harness.services.counters.requests == 5)
    }

    @Test func methodIndicesMatchTheLabelNames() {
        let methods: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .DELETE, .PATCH, .OPTIONS, .CONNECT, .TRACE]
        for method in methods {
            #expect(HTTPMethodLabel.names[method.metricsIndex] == method.rawValue)
        }
        #expect(HTTPMethod.RAW(value: "PURGE").metricsIndex == HTTPMethodLabel.other)
        #expect(HTTPMethod.PROPFIND.metricsIndex == HTTPMethodLabel.other)
    }

    @Test func routerGivesEachTemplateOneIdInRegistrationOrder() {
        var router = Router()
        router.on(.GET, "/a", .sync { _, _ in .json(.ok, []) })
        router.on(.POST, "/b/{id}", .sync { _, _ in .json(.ok, []) })
        router.on(.PUT, "/a", .sync { _, _ in .json(.ok, []) })
        router.on(.GET, "/b/{id}", .sync { _, _ in .json(.ok, []) })
        #expect(router.templates == ["/a", "/b/{id}"])
        guard case .found(let put, _) = router.resolve(.PUT, "/a"),
            case .found(let get, _) = router.resolve(.GET, "/b/42")
        else {
            Issue.record("not found")
            return
        }
        #expect(put.id == 0)
        #expect(get.id == 1)
    }

    @Test func aParameterisedRouteIsLabelledByItsTemplateNeverThePath() throws {
        let routes: (inout Router) -> Void = { router in
            HTTPHarness.testRoutes(&router)
            router.on(.GET, "/v1/charts/{chartId}", .sync { _, _ in .json(.ok, Array("{}".utf8)) })
        }
        let harness = try HTTPHarness(routes: routes)
        var router = Router()
        routes(&router)
        let region = harness.services.counters.region
        region.publishRoutes(router.templates)
        #expect(try harness.exchange("GET /v1/charts/c-1 HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        #expect(try harness.exchange("GET /v1/charts/c-2 HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        let series = region.requestSeries()
        #expect(series[RequestSeriesKey(method: 0, status: 200, route: "/v1/charts/{chartId}")]?.count == 2)
        #expect(series.count == 1)  // no series for a raw path
    }

    @Test func aValidTraceparentIsContinuedAndEchoedWithTheServersSpan() throws {
        let harness = try HTTPHarness()
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let response = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\ntraceparent: \(incoming)\r\n\r\n")
        let echoed = try #require(response.header("traceparent"))
        let parsed = try #require(TraceContext.parse(echoed))
        #expect(echoed.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
        #expect(parsed.parent != 0x00f0_67aa_0ba9_02b7)  // our span, not the caller's
        #expect(echoed.hasSuffix("-01"))
    }

    @Test func aMissingOrInvalidTraceparentGetsANewTraceNeverAnError() throws {
        let harness = try HTTPHarness()
        let plain = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        let invalid = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\ntraceparent: 00-zz-yy-01\r\n\r\n")
        #expect(plain.status == 200 && invalid.status == 200)
        let first = try #require(plain.header("traceparent").flatMap(TraceContext.parse))
        let second = try #require(invalid.header("traceparent").flatMap(TraceContext.parse))
        #expect((first.high, first.low) != (second.high, second.low))
    }

    @Test func accessLineCarriesTraceAndSpanLikeTheSwiftLogPath() {
        let identity = ProcessLogIdentity(pid: 7, worker: 1, generation: 1)
        let log = AccessLog(process: identity, sink: LogSink { _ in })
        let trace = TraceContext(traceHigh: 0xA, traceLow: 0xB, spanID: 0xC)
        var bytes: [UInt8] = []
        log.format(
            AccessLog.Entry(
                requestID: "r",
                method: .GET,
                uri: "/x",
                status: 200,
                elapsedNanoseconds: 1000,
                trace: TraceDigits(trace)
            ),
            to: &bytes
        )
        let reference = JSONLogHandler.format(
            level: .info,
            message: "GET /x 200",
            metadata: [
                LogKey.requestID: "r", "http_method": "GET", "http_path": "/x",
                "http_status": .stringConvertible(200), "duration_ms": .stringConvertible(0.001),
                LogKey.traceID: .string(trace.traceID), LogKey.spanID: .string(trace.spanIDText),
            ],
            process: identity
        )
        let strip = { (line: String) in
            line.replacingOccurrences(of: #""time":"[^"]*""#, with: "", options: .regularExpression)
        }
        #expect(strip(String(decoding: bytes, as: UTF8.self)) == strip(String(decoding: reference, as: UTF8.self)))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""trace_id":"000000000000000a000000000000000b""#))
    }
}
