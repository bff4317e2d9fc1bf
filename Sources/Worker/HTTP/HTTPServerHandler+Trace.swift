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

extension TraceContext {
    /// Writes `\r\ntraceparent: ` and the value (70 bytes) into `buffer` in one reservation,
    /// eight digits per store: every response pays for it.
    func writeHeader(to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 70) { whole in
            Self.storeASCII("\r\ntraceparent: 00-", at: 0, in: whole)
            let raw = UnsafeMutableRawBufferPointer(rebasing: whole[15...])
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceHigh >> 32)).bigEndian,
                toByteOffset: 3,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceHigh)).bigEndian,
                toByteOffset: 11,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceLow >> 32)).bigEndian,
                toByteOffset: 19,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceLow)).bigEndian,
                toByteOffset: 27,
                as: UInt64.self
            )
            raw[35] = UInt8(ascii: "-")
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.spanID >> 32)).bigEndian,
                toByteOffset: 36,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.spanID)).bigEndian,
                toByteOffset: 44,
                as: UInt64.self
            )
            raw[52] = UInt8(ascii: "-")
            let flags = Self.hexDigits(UInt32(self.flags))  // the last two digits are the flags
            raw[53] = UInt8(truncatingIfNeeded: flags >> 8)
            raw[54] = UInt8(truncatingIfNeeded: flags)
            return 70
        }
    }
}

extension TraceContext {
    /// `,"span_id":"…","trace_id":"…"` (75 bytes; sorted keys, as `JSONLogHandler` writes
    /// them), built on the stack and appended in one call: the access log's per-request cost.
    func appendLogFields(to out: inout [UInt8]) {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            Self.storeASCII(#","span_id":""#, at: 0, in: raw)
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.spanID >> 32)).bigEndian,
                toByteOffset: 12,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.spanID)).bigEndian,
                toByteOffset: 20,
                as: UInt64.self
            )
            Self.storeASCII(#"","trace_id":""#, at: 28, in: raw)
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceHigh >> 32)).bigEndian,
                toByteOffset: 42,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceHigh)).bigEndian,
                toByteOffset: 50,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceLow >> 32)).bigEndian,
                toByteOffset: 58,
                as: UInt64.self
            )
            raw.storeBytes(
                of: Self.hexDigits(UInt32(truncatingIfNeeded: self.traceLow)).bigEndian,
                toByteOffset: 66,
                as: UInt64.self
            )
            raw[74] = UInt8(ascii: "\"")
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<75]))
        }
    }

    @inline(__always)
    fileprivate static func storeASCII(_ text: StaticString, at offset: Int, in raw: UnsafeMutableRawBufferPointer) {
        (raw.baseAddress! + offset).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
    }
}
