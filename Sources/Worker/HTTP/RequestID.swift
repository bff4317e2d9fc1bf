#if canImport(Glibc)
import Glibc
#endif

/// Request ids: a client's sane `X-Request-Id` is kept; otherwise one is made from a random
/// per-process prefix and a counter (unique across workers and restarts, no syscall).
struct RequestIDGenerator {
    private let prefix: String
    private var counter: UInt64 = 0

    init() {
        var random = SystemRandomNumberGenerator()
        let value = random.next() & 0xFFFF_FFFF_FFFF
        let hex = String(value, radix: 16)
        self.prefix = String(repeating: "0", count: 12 - hex.count) + hex + "-"
    }

    /// The next generated id, e.g. `3f9a0c12be77-1a2b`.
    mutating func next() -> String {
        self.counter &+= 1
        return self.prefix + String(self.counter, radix: 16)
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
