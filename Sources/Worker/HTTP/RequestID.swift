/// Request ids: a client's sane `X-Request-Id` is kept; otherwise `RequestIDSource` makes one
/// from a random per-process prefix and a counter (unique across workers and restarts, no
/// syscall), e.g. `h7Kq2ZbX-1f`.
///
/// Both are base 62 (`0-9a-zA-Z`): 8 digits of prefix hold 47.6 random bits (the 12 hex digits
/// used before held 48), and an id stays within 15 bytes, the size Swift keeps a `String`
/// inline, until a worker's 56.8 billionth request: no allocation per request for it.
enum RequestID {
    /// The digits, in order of value.
    private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    /// Digits of the prefix.
    static let prefixDigits = 8

    /// A random per-process prefix with its dash, e.g. `h7Kq2ZbX-`.
    static func randomPrefix() -> String {
        var random = SystemRandomNumberGenerator()
        var value = random.next(upperBound: Self.power(62, Self.prefixDigits))
        var bytes = [UInt8](repeating: 0, count: Self.prefixDigits)
        for index in stride(from: Self.prefixDigits - 1, through: 0, by: -1) {
            bytes[index] = Self.digits[Int(value % 62)]
            value /= 62
        }
        return String(decoding: bytes, as: UTF8.self) + "-"
    }

    private static func power(_ base: UInt64, _ exponent: Int) -> UInt64 {
        (0..<exponent).reduce(1) { value, _ in value * base }
    }

    /// `prefix` followed by `counter` in base 62, built in place (inline up to 15 bytes).
    static func format(prefix: [UInt8], counter: UInt64) -> String {
        var digits = 1
        var rest = counter / 62
        while rest != 0 {
            digits += 1
            rest /= 62
        }
        return String(unsafeUninitializedCapacity: prefix.count + digits) { buffer in
            for (index, byte) in prefix.enumerated() { buffer[index] = byte }
            var value = counter
            var index = prefix.count + digits - 1
            while index >= prefix.count {
                buffer[index] = Self.digits[Int(value % 62)]
                value /= 62
                index -= 1
            }
            return prefix.count + digits
        }
    }

    /// Whether a client-supplied id is safe to echo and log: 1–128 characters of
    /// `A-Z a-z 0-9 - _ . : + / =`.
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                return true
            default:
                return false
            }
        }
    }
}
