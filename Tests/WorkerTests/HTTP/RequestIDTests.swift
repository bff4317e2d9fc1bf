import Testing

@testable import Worker

/// Generated request ids: the random prefix, a dash, the counter in base 62 (`0-9a-zA-Z`).
@Suite("Request ids")
struct RequestIDTests {
    /// `value` in base 62, digit by digit from the top (a reference, not the server's code).
    static func base62(_ value: UInt64) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var digits: [Character] = []
        var rest = value
        repeat {
            digits.insert(alphabet[Int(rest % 62)], at: 0)
            rest /= 62
        } while rest > 0
        return String(digits)
    }

    @Test(arguments: [UInt64(0), 1, 9, 10, 35, 36, 61, 62, 63, 3843, 3844, 0xFFFF_FFFF, UInt64.max])
    func formatIsPrefixAndBase62Counter(counter: UInt64) {
        let prefix = "h7Kq2ZbX-"
        #expect(RequestID.format(prefix: Array(prefix.utf8), counter: counter) == prefix + Self.base62(counter))
    }

    @Test func smallCountersInBase62() {
        #expect(Self.base62(61) == "Z" && Self.base62(62) == "10")
        #expect(RequestID.format(prefix: [], counter: 61) == "Z")
        #expect(RequestID.format(prefix: [], counter: 62) == "10")
    }

    @Test func sourceCountsUpFromOneUnderOnePrefix() {
        let source = RequestIDSource()
        let first = source.next()
        let second = source.next()
        #expect(first.hasSuffix("-1") && second.hasSuffix("-2"))
        #expect(first.dropLast() == second.dropLast())
        #expect(first.utf8.count == RequestID.prefixDigits + 2 && RequestID.isAcceptable(first))
    }

    /// An id fits the 15 bytes Swift keeps inline until the counter needs a seventh digit.
    @Test func idsStayWithinFifteenBytesForBillionsOfRequests() {
        let prefix = Array(RequestID.randomPrefix().utf8)
        #expect(prefix.count == RequestID.prefixDigits + 1)
        #expect(RequestID.format(prefix: prefix, counter: 56_800_235_583).utf8.count == 15)  // 62^6 - 1
        #expect(RequestID.format(prefix: prefix, counter: 56_800_235_584).utf8.count == 16)
    }

    @Test func prefixesDiffer() {
        let prefixes = Set((0..<64).map { _ in RequestID.randomPrefix() })
        #expect(prefixes.count == 64)
        #expect(prefixes.allSatisfy { RequestID.isAcceptable($0) && $0.hasSuffix("-") })
    }
}
