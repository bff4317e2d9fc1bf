import NIOCore
import Shared

extension HTTPServerHandler {
    /// The trace of a request whose `traceparent` header is `header` (a new trace when it is
    /// missing or invalid), with a new span for this server.
    func trace(_ header: String?) -> TraceContext {
        let ids = self.services.traceIDs
        return TraceContext(header: header, spanID: ids.nextSpanID(), fresh: ids.nextTraceID)
    }
}

extension TraceContext {
    /// Writes the `traceparent` value (55 bytes) into `buffer` in place.
    func write(to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 55) { raw in
            var index = 0
            func put(_ byte: UInt8) {
                raw[index] = byte
                index += 1
            }
            func hex(_ value: UInt64, digits: Int) {
                var shift = UInt64(digits - 1) * 4
                while true {
                    let nibble = UInt8(truncatingIfNeeded: value >> shift) & 0xF
                    put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                    if shift == 0 { break }
                    shift -= 4
                }
            }
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "-"))
            hex(self.traceHigh, digits: 16)
            hex(self.traceLow, digits: 16)
            put(UInt8(ascii: "-"))
            hex(self.spanID, digits: 16)
            put(UInt8(ascii: "-"))
            hex(UInt64(self.flags), digits: 2)
            return index
        }
    }
}
