/// W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/): the trace a
/// request belongs to and this server's span in it.
///
/// An incoming valid `traceparent` gives the trace id and the caller's span (the parent); the
/// server makes its own span id and echoes `traceparent` with it, so a caller and its logs
/// can find this request. Without a valid header a new trace starts. An invalid header is
/// ignored, never an error (the specification's rule).
public struct TraceContext: Sendable, Equatable {
    /// The trace id's high and low 64 bits (never both zero).
    public var traceHigh: UInt64
    /// The trace id's low 64 bits.
    public var traceLow: UInt64
    /// This server's span id (never zero).
    public var spanID: UInt64
    /// The caller's span id, when the request carried a valid `traceparent`.
    public var parentID: UInt64?
    /// Trace flags (bit 0: sampled), kept from the caller.
    public var flags: UInt8

    /// A context with these ids.
    public init(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, parentID: UInt64? = nil, flags: UInt8 = 1) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.spanID = spanID
        self.parentID = parentID
        self.flags = flags
    }

    /// The context of a request whose `traceparent` is `header` (`nil` or invalid: a new
    /// trace), with this server's span `spanID`; `fresh` gives a new trace id when needed.
    public init(header: String?, spanID: UInt64, fresh: () -> (UInt64, UInt64)) {
        if let header, let parsed = Self.parse(header) {
            self.init(
                traceHigh: parsed.high,
                traceLow: parsed.low,
                spanID: spanID,
                parentID: parsed.parent,
                flags: parsed.flags
            )
        } else {
            let (high, low) = fresh()
            self.init(traceHigh: high, traceLow: low, spanID: spanID)
        }
    }

    /// Parses a `traceparent` value: `version-traceid-parentid-flags` in lowercase hex.
    /// Version `00` must be exactly 55 characters; a later version may append fields after a
    /// `-`; version `ff`, all-zero ids and upper-case hex are invalid.
    public static func parse(_ header: String) -> (high: UInt64, low: UInt64, parent: UInt64, flags: UInt8)? {
        var text = header
        return text.withUTF8 { bytes -> (UInt64, UInt64, UInt64, UInt8)? in
            guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
                bytes[52] == UInt8(ascii: "-"), let version = hex(bytes, 0, 2), version != 0xFF
            else { return nil }
            if version == 0 {
                guard bytes.count == 55 else { return nil }
            } else if bytes.count > 55 && bytes[55] != UInt8(ascii: "-") {
                return nil
            }
            guard let high = hex(bytes, 3, 16), let low = hex(bytes, 19, 16), high | low != 0,
                let parent = hex(bytes, 36, 16), parent != 0, let flags = hex(bytes, 53, 2)
            else { return nil }
            return (high, low, parent, UInt8(flags))
        }
    }

    /// `count` lowercase hex digits at `start` as a number; `nil` on any other byte.
    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<start + count {
            let byte = bytes[index]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    /// The 32-digit trace id.
    public var traceID: String { Self.hexString([self.traceHigh, self.traceLow]) }

    /// This server's 16-digit span id.
    public var spanIDText: String { Self.hexString([self.spanID]) }

    /// The `traceparent` value to send: version 00, this trace, this server's span, the flags.
    public var traceparent: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(55)
        self.appendTraceparent(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the `traceparent` value (55 bytes).
    public func appendTraceparent(to out: inout [UInt8]) {
        out.append(contentsOf: "00-".utf8)
        Self.appendHex(self.traceHigh, to: &out)
        Self.appendHex(self.traceLow, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendHex(self.spanID, to: &out)
        out.append(UInt8(ascii: "-"))
        out.append(Self.digit(self.flags >> 4))
        out.append(Self.digit(self.flags & 0xF))
    }

    /// Appends `value` as 16 lowercase hex digits.
    public static func appendHex(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(
            of: (
                self.hexDigits(UInt32(truncatingIfNeeded: value >> 32)).bigEndian,
                self.hexDigits(UInt32(truncatingIfNeeded: value)).bigEndian
            )
        ) {
            out.append(contentsOf: $0)
        }
    }

    /// The 8 lowercase hex digits of `value` as ASCII bytes in one word, the first digit in the
    /// most significant byte (store it big-endian). Branch-free (SWAR): the request path renders
    /// three ids per request, twice, and a digit-by-digit loop cost ~3 % of a request.
    @inlinable
    public static func hexDigits(_ value: UInt32) -> UInt64 {
        var x = UInt64(value)
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
        x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F  // nibble k in byte k
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101  // 1 where nibble ≥ 10
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 0x27  // '0' + n, or 'a' + n - 10
    }

    private static func hexString(_ values: [UInt64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 16)
        for value in values { self.appendHex(value, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
