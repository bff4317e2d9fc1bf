import NIOCore
import Shared

extension HTTPServerHandler {
    /// The trace of a request whose `traceparent` header is `header` (a new trace when it is
    /// missing or invalid), with a new span for this server.
    func trace(_ header: String?) -> TraceContext {
        let ids = self.services.traceIDs
        if let header, let parsed = TraceContext.parse(header) {
            return TraceContext(
                traceHigh: parsed.high,
                traceLow: parsed.low,
                spanID: ids.nextSpanID(),
                parentID: parsed.parent,
                flags: parsed.flags
            )
        }
        // No closure (`TraceContext(header:spanID:fresh:)`): this runs for every request.
        let (high, low, span) = ids.nextTrace()
        return TraceContext(traceHigh: high, traceLow: low, spanID: span)
    }
}

/// A request's trace and span ids as hex digits, eight ASCII digits per word, rendered once
/// per request for both the `traceparent` header and the access-log line.
struct TraceDigits {
    /// Trace id digits 0–7, 8–15, 16–23, 24–31, then span id digits 0–7, 8–15.
    let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    /// The flags' two digits.
    let flags: UInt16

    init(_ trace: TraceContext) {
        func digits(_ value: UInt64, _ shift: UInt64) -> UInt64 {
            TraceContext.hexDigits(UInt32(truncatingIfNeeded: value >> shift)).bigEndian
        }
        self.words = (
            digits(trace.traceHigh, 32), digits(trace.traceHigh, 0), digits(trace.traceLow, 32),
            digits(trace.traceLow, 0), digits(trace.spanID, 32), digits(trace.spanID, 0)
        )
        self.flags = UInt16(truncatingIfNeeded: TraceContext.hexDigits(UInt32(trace.flags))).bigEndian
    }

    /// Stores the 32 trace-id digits at `offset`.
    func storeTraceID(at offset: Int, in raw: UnsafeMutableRawBufferPointer) {
        raw.storeBytes(of: self.words.0, toByteOffset: offset, as: UInt64.self)
        raw.storeBytes(of: self.words.1, toByteOffset: offset + 8, as: UInt64.self)
        raw.storeBytes(of: self.words.2, toByteOffset: offset + 16, as: UInt64.self)
        raw.storeBytes(of: self.words.3, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// Stores the 16 span-id digits at `offset`.
    func storeSpanID(at offset: Int, in raw: UnsafeMutableRawBufferPointer) {
        raw.storeBytes(of: self.words.4, toByteOffset: offset, as: UInt64.self)
        raw.storeBytes(of: self.words.5, toByteOffset: offset + 8, as: UInt64.self)
    }

    /// Stores `\r\ntraceparent: 00-<trace>-<span>-<flags>` at `offset` of `raw`, which has
    /// room for it; returns its length (70). Every response pays for it.
    func storeHeader(at offset: Int, in raw: UnsafeMutableRawBufferPointer) -> Int {
        Self.storeASCII("\r\ntraceparent: 00-", at: offset, in: raw)
        self.storeTraceID(at: offset + 18, in: raw)
        raw[offset + 50] = UInt8(ascii: "-")
        self.storeSpanID(at: offset + 51, in: raw)
        raw[offset + 67] = UInt8(ascii: "-")
        raw.storeBytes(of: self.flags, toByteOffset: offset + 68, as: UInt16.self)
        return 70
    }

    /// The length of the access log's trace fields.
    static let logFieldsLength = 75

    /// Appends `,"span_id":"…","trace_id":"…"` (75 bytes; sorted keys, as `JSONLogHandler`
    /// writes them).
    func appendLogFields(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.logFieldsLength) { buffer in
            self.storeLogFields(at: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }

    /// Writes the access log's trace fields (`logFieldsLength` bytes) at `destination`.
    func storeLogFields(at destination: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawBufferPointer(start: destination, count: Self.logFieldsLength)
        Self.storeASCII(#","span_id":""#, at: 0, in: raw)
        self.storeSpanID(at: 12, in: raw)
        Self.storeASCII(#"","trace_id":""#, at: 28, in: raw)
        self.storeTraceID(at: 42, in: raw)
        raw[74] = UInt8(ascii: "\"")
    }

    @inline(__always)
    private static func storeASCII(_ text: StaticString, at offset: Int, in raw: UnsafeMutableRawBufferPointer) {
        (raw.baseAddress! + offset).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
    }
}
