import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// A request's header fields, read from the bytes of its head when asked.
///
/// The parser checked every line (`name ":" OWS value OWS CRLF`, a token name, no control
/// character in the value) and the lines stay as they arrived, in a slice of the read buffer:
/// a request costs no `String` per name and value, no array and no `HTTPHeaders` unless its
/// handler asks. `first(name:)` and `subscript(_:)` scan the lines; `httpHeaders` builds
/// SwiftNIO's type for code that wants one. Names match case-insensitively; values come back
/// without their surrounding blanks, in the order sent.
struct HeaderFields: Sendable, Sequence {
    /// The field lines, each ending in CRLF.
    private let lines: ByteBuffer

    /// Lines as the parser checked them.
    init(lines: ByteBuffer) {
        self.lines = lines
    }

    /// No fields.
    init() {
        self.lines = ByteBuffer()
    }

    /// `headers` written out as lines (requests built in process, not parsed). A name or value
    /// with a CR or LF would end its line early: such fields are dropped.
    init(_ headers: HTTPHeaders) {
        var lines = ByteBuffer()
        for (name, value) in headers {
            guard !name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == UInt8(ascii: ":") }),
                !value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            else { continue }
            lines.writeString(name)
            lines.writeStaticString(": ")
            lines.writeString(value)
            lines.writeStaticString("\r\n")
        }
        self.lines = lines
    }

    /// The value of the first field named `name`.
    func first(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            var found: String?
            self.forEachField { fieldName, value in
                guard Self.namesMatch(fieldName, wanted) else { return true }
                found = String(decoding: value, as: UTF8.self)
                return false
            }
            return found
        }
    }

    /// The values of every field named `name`, in the order sent.
    subscript(name: String) -> [String] {
        var name = name
        return name.withUTF8 { wanted in
            var values: [String] = []
            self.forEachField { fieldName, value in
                if Self.namesMatch(fieldName, wanted) { values.append(String(decoding: value, as: UTF8.self)) }
                return true
            }
            return values
        }
    }

    /// Whether a field named `name` was sent.
    func contains(name: String) -> Bool {
        self.first(name: name) != nil
    }

    /// The fields as SwiftNIO's `HTTPHeaders` (built on each access).
    var httpHeaders: HTTPHeaders {
        HTTPHeaders(Array(self))
    }

    /// The number of fields.
    var count: Int {
        var count = 0
        self.forEachField { _, _ in
            count += 1
            return true
        }
        return count
    }

    func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        var fields: [(name: String, value: String)] = []
        self.forEachField { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return true
        }
        return fields.makeIterator()
    }

    /// Calls `body` with each field's name and trimmed value until it returns `false`.
    private func forEachField(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        self.lines.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            let p = base.assumingMemoryBound(to: UInt8.self)
            let end = bytes.count
            var index = 0
            while index < end {
                let lineStart = index
                guard let cr = memchr(p + index, 13, end - index) else { return }
                let lineEnd = p.distance(to: cr.assumingMemoryBound(to: UInt8.self))
                index = lineEnd + 2
                guard let colon = memchr(p + lineStart, Int32(UInt8(ascii: ":")), lineEnd - lineStart) else { continue }
                let nameEnd = p.distance(to: colon.assumingMemoryBound(to: UInt8.self))
                var valueStart = nameEnd + 1
                var valueEnd = lineEnd
                while valueStart < valueEnd && (p[valueStart] == 0x20 || p[valueStart] == 0x09) { valueStart += 1 }
                while valueEnd > valueStart && (p[valueEnd - 1] == 0x20 || p[valueEnd - 1] == 0x09) { valueEnd -= 1 }
                let name = UnsafeRawBufferPointer(start: p + lineStart, count: nameEnd - lineStart)
                let value = UnsafeRawBufferPointer(start: p + valueStart, count: valueEnd - valueStart)
                if !body(name, value) { return }
            }
        }
    }

    /// ASCII case-insensitive equality of a field name and the name asked for.
    private static func namesMatch(_ field: UnsafeRawBufferPointer, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        guard field.count == wanted.count else { return false }
        for index in 0..<field.count {
            var a = field[index]
            var b = wanted[index]
            if a >= 0x41 && a <= 0x5A { a |= 0x20 }
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            guard a == b else { return false }
        }
        return true
    }
}
