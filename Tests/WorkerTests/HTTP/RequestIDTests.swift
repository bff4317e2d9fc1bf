import Testing

@testable import Worker

/// Generated request ids: the random prefix, a dash, the counter in lowercase hex.
@Suite("Request ids")
struct RequestIDTests {
    @Test(arguments: [UInt64(0), 1, 9, 10, 15, 16, 255, 0x1a2b, 0xFFFF_FFFF, UInt64.max])
    func formatIsPrefixAndHexCounter(counter: UInt64) {
        let prefix = "3f9a0c12be77-"
        #expect(
            RequestID.format(prefix: Array(prefix.utf8), counter: counter) == prefix
                + String(counter, radix: 16)
        )
    }

    @Test func sourceCountsUpFromOneUnderOnePrefix() {
        let source = RequestIDSource()
        let first = source.next()
        let second = source.next()
        #expect(first.hasSuffix("-1") && second.hasSuffix("-2"))
        #expect(first.dropLast() == second.dropLast())
        #expect(first.utf8.count == 14 && RequestID.isAcceptable(first))
    }
}
