#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-27T08:07:49.123Z`), without Foundation.
public enum Timestamp {
    /// Appends the current wall-clock time to `bytes`.
    public static func appendNow(to bytes: inout [UInt8]) {
        let now = WallClock.now()
        append(seconds: now.seconds, milliseconds: now.milliseconds, to: &bytes)
    }

    /// Appends the given instant to `bytes`.
    public static func append(seconds: Int, milliseconds: Int, to bytes: inout [UInt8]) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The current time, formatted at most once per second: within the same second only the
    /// three millisecond digits are rewritten (the access log's hot path calls this per request).
    public struct Cache: Sendable {
        private var second = Int.min
        private var text: [UInt8] = []

        /// An empty cache; the first call formats.
        public init() {}

        /// Appends the current wall-clock time (24 bytes, e.g. `2026-11-27T08:07:49.123Z`).
        public mutating func appendNow(to bytes: inout [UInt8]) {
            let now = WallClock.now()
            self.append(seconds: now.seconds, milliseconds: now.milliseconds, to: &bytes)
        }

        /// Appends the given instant, reusing the formatted second when it is the cached one.
        public mutating func append(seconds: Int, milliseconds: Int, to bytes: inout [UInt8]) {
            self.update(seconds: seconds, milliseconds: milliseconds)
            bytes.append(contentsOf: self.text)
        }

        /// Writes the current wall-clock time (24 bytes) at `destination`, which must have room.
        public mutating func copyNow(to destination: UnsafeMutablePointer<UInt8>) {
            let now = WallClock.now()
            self.update(seconds: now.seconds, milliseconds: now.milliseconds)
            self.text.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: 24) }
        }

        private mutating func update(seconds: Int, milliseconds: Int) {
            if seconds != self.second || self.text.count != 24 {
                self.text.removeAll(keepingCapacity: true)
                Timestamp.append(seconds: seconds, milliseconds: milliseconds, to: &self.text)
                self.second = seconds
            } else {
                self.text[20] = UInt8(ascii: "0") + UInt8(milliseconds / 100)
                self.text[21] = UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10)
                self.text[22] = UInt8(ascii: "0") + UInt8(milliseconds % 10)
            }
        }
    }

    /// The current time as a string.
    public static func now() -> String {
        var bytes: [UInt8] = []
        appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
