import Testing

@testable import Shared

@Suite("W3C traceparent")
struct TraceContextTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func parsesTheSpecificationsExample() throws {
        let parsed = try #require(TraceContext.parse(Self.valid))
        #expect(parsed.high == 0x4bf9_2f35_77b3_4da6 && parsed.low == 0xa3ce_929d_0e0e_4736)
        #expect(parsed.parent == 0x00f0_67aa_0ba9_02b7 && parsed.flags == 1)
    }

    @Test(
        "invalid headers are rejected",
        arguments: [
            "", "garbage", String(valid.dropLast()), valid + "-",  // version 00 is exactly 55 long
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",  // wrong separator
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // a later version's extra field needs a dash
        ]
    )
    func rejects(header: String) {
        #expect(TraceContext.parse(header) == nil)
    }

    @Test func aLaterVersionWithMoreFieldsIsAccepted() {
        #expect(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
    }

    @Test func keepsTheCallersTraceAndMakesItsOwnSpan() {
        let trace = TraceContext(header: Self.valid, spanID: 0xABC) {
            Issue.record("no fresh id needed")
            return (1, 2)
        }
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentID == 0x00f0_67aa_0ba9_02b7)
        #expect(trace.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000abc-01")
        #expect(trace.spanIDText == "0000000000000abc")
    }

    @Test func anInvalidOrMissingHeaderStartsANewTrace() {
        for header in [nil, "00-bogus"] {
            let trace = TraceContext(header: header, spanID: 7) { (0x1, 0x2) }
            #expect(trace.traceID == "00000000000000010000000000000002")
            #expect(trace.parentID == nil && trace.flags == 1)
            #expect(TraceContext.parse(trace.traceparent)?.low == 2)
        }
    }

    @Test func generatedIdsAreUniqueAndNeverZero() {
        let source = TraceIDSource(seeds: (1, 2, 3))
        var traces = Set<UInt64>()
        var spans = Set<UInt64>()
        for _ in 0..<1000 {
            let (high, low) = source.nextTraceID()
            #expect(high | low != 0 && high != low)
            traces.insert(high)
            spans.insert(source.nextSpanID())
        }
        #expect(traces.count == 1000 && spans.count == 1000 && !spans.contains(0))
    }

    @Test func journaldFieldsAreTraceIDAndSpanID() {
        #expect(JournalLogHandler.fieldName(LogKey.traceID) == "TRACE_ID")
        #expect(JournalLogHandler.fieldName(LogKey.spanID) == "SPAN_ID")
    }
}
