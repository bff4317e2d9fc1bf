/// Runs `body` on a stack buffer of `capacity` bytes, which it must not overrun, and appends
/// what it wrote to `out` in one copy.
func withRawOutput(appendingTo out: inout [UInt8], capacity: Int, _ body: (inout RawOutput) -> Void) {
    withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer in
        var output = RawOutput(base: buffer.baseAddress!)
        body(&output)
        precondition(output.count <= capacity, "raw output over its capacity")
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<output.count]))
    }
}

/// Bytes appended at a raw pointer whose room the caller reserved: plain stores, no
/// uniqueness or capacity check per piece (the response head, the access line).
struct RawOutput {
    let base: UnsafeMutableRawPointer
    var count = 0

    mutating func append(_ text: StaticString) {
        (self.base + self.count).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        self.count += text.utf8CodeUnitCount
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        (self.base + self.count).copyMemory(from: source, byteCount: bytes.count)
        self.count += bytes.count
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.append(UnsafeRawBufferPointer(bytes))
    }

    mutating func append(byte: UInt8) {
        self.base.storeBytes(of: byte, toByteOffset: self.count, as: UInt8.self)
        self.count += 1
    }

    /// Appends again the `count` bytes appended earlier at `offset`.
    mutating func appendCopy(from offset: Int, count: Int) {
        (self.base + self.count).copyMemory(from: self.base + offset, byteCount: count)
        self.count += count
    }

    /// Appends a string's bytes. (Named apart from `append(_: StaticString)` so that a literal
    /// argument is a `StaticString`: a literal passed as a `String` cost ~70 instructions an
    /// append in the access line, ten a request.)
    mutating func append(string text: String) {
        // Borrowed as it is (a native string is contiguous): no copy of `text`, so no retain
        // and release around the bytes.
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { self.append(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = text
            copy.withUTF8 { self.append(UnsafeRawBufferPointer($0)) }
        }
    }

    /// `name: value` and CRLF, or `false` (nothing appended) when either is unsafe.
    mutating func appendHeader(name: String, value: String) -> Bool {
        var name = name
        var value = value
        return name.withUTF8 { name in
            value.withUTF8 { value in
                guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter),
                    value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) })
                else { return false }
                self.append(UnsafeRawBufferPointer(name))
                self.append(": ")
                self.append(UnsafeRawBufferPointer(value))
                self.append("\r\n")
                return true
            }
        }
    }

    /// `value` in decimal.
    mutating func appendDecimal(_ value: Int) {
        precondition(value >= 0)
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        var remaining = value
        for index in stride(from: digits - 1, through: 0, by: -1) {
            let digit = UInt8(ascii: "0") + UInt8(remaining % 10)
            self.base.storeBytes(of: digit, toByteOffset: self.count + index, as: UInt8.self)
            remaining /= 10
        }
        self.count += digits
    }
}
