import Database
import NIOCore

extension PostgresRowJSON {
    /// A JSON response body around rows `rows` of `result`: `open`, the rows' objects separated
    /// by commas, then what `close` writes (at most `closeBound` bytes). For a list route's
    /// `queryAsTenant(…decode:)`, on the pool thread while the result is alive: the bytes go from
    /// libpq's buffer into the body in one write (each `ByteBuffer` write costs an exclusive
    /// access), and the buffer becomes the response as it is (`Response.json(_:buffer:)`).
    ///
    /// ```swift
    /// let body = try Order.json.body(result, rows: 0..<result.count, open: #"{"data":["#, closeBound: 2) {
    ///     $0.append("]}")
    /// }
    /// ```
    func body(
        _ result: PostgresResult,
        rows: Range<Int>,
        open: StaticString,
        closeBound: Int,
        close: (inout RawOutput) -> Void
    ) throws(PostgresDecodingError) -> ByteBuffer {
        let bound = open.utf8CodeUnitCount + self.bound(result, rows: rows) + closeBound
        var body = ByteBufferAllocator().buffer(capacity: bound)
        var failure: PostgresDecodingError?
        body.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { room in
            var out = RawOutput(base: room.baseAddress!)
            out.append(open)
            do throws(PostgresDecodingError) {
                out.count += try self.write(result, rows: rows, to: out.base + out.count)
            } catch {
                failure = error
                return 0
            }
            close(&out)
            precondition(out.count <= bound, "JSON body over its bound")
            return out.count
        }
        if let failure { throw failure }
        return body
    }
}
