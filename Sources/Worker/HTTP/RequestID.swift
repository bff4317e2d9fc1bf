/// Request ids: a client's sane `X-Request-Id` is kept; otherwise `RequestIDSource` makes one
/// from a random per-process prefix and a counter (unique across workers and restarts, no
/// syscall).
enum RequestID {
    /// A random per-process prefix with its dash, e.g. `3f9a0c12be77-`.
    static func randomPrefix() -> String {
        var random = SystemRandomNumberGenerator()
        let value = random.next() & 0xFFFF_FFFF_FFFF
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 12 - hex.count) + hex + "-"
    }

    /// `prefix` followed by `counter` in lowercase hex, built in place in one allocation.
    static func format(prefix: [UInt8], counter: UInt64) -> String {
        var digits = 1
        while digits < 16 && counter >> (4 * UInt64(digits)) != 0 { digits += 1 }
        return String(unsafeUninitializedCapacity: prefix.count + digits) { buffer in
            for (index, byte) in prefix.enumerated() { buffer[index] = byte }
            var value = counter
            var index = prefix.count + digits - 1
            while index >= prefix.count {
                let nibble = UInt8(truncatingIfNeeded: value & 0xF)
                buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                value >>= 4
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
