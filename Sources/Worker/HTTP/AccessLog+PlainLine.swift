import NIOHTTP1

/// The access line of the usual request, built in one stack buffer and appended with one copy.
///
/// `format` appends a line field by field to the batch array: some twenty appends, each with
/// its uniqueness and capacity checks, and five escaping scans (the method and the path are
/// written twice, in `msg` and in their own fields): about a fifth of a `/health/live`
/// request's instructions (callgrind). When the method, the path and the request id need
/// neither escaping nor masking, the same bytes are written here with plain stores, each
/// of those texts scanned once and its second occurrence copied from the first.
extension AccessLog {
    /// The room the stack buffer has: the fixed text (~190 bytes), `msg` and the two fields
    /// (method and path twice: 2 × (32 + 200)), the request id (128), the trace fields (75).
    private static let plainLineCapacity = 1024
    /// The longest method and request id taken here; `loggable`'s 200 bounds the path.
    private static let plainMethodLimit = 32
    private static let plainRequestIDLimit = 128

    /// Appends the line of `format` to `out` and returns `true`, or appends nothing and returns
    /// `false` when a text needs the general path: a byte JSON escapes or `loggable` changes
    /// (a control character, `"`, `\`, `@`), or a text over its limit.
    func appendPlainLine(_ entry: Entry, to out: inout [UInt8]) -> Bool {
        // The texts borrowed where they are (native strings are contiguous: no copies, no
        // retains); one that is not goes the general path.
        let methodText = entry.method.rawValue
        let taken = methodText.utf8.withContiguousStorageIfAvailable { method in
            entry.uri.utf8.withContiguousStorageIfAvailable { uri in
                entry.requestID.utf8.withContiguousStorageIfAvailable { requestID -> Bool in
                    let pathLength = uri.firstIndex(of: UInt8(ascii: "?")) ?? uri.count
                    let path = UnsafeBufferPointer(rebasing: uri[..<pathLength])
                    guard method.count <= Self.plainMethodLimit, path.count <= 200,
                        requestID.count <= Self.plainRequestIDLimit,
                        Self.isPlain(method), Self.isPlain(path), Self.isPlain(requestID)
                    else { return false }
                    withRawOutput(appendingTo: &out, capacity: Self.plainLineCapacity) { line in
                        line.append(#"{"time":""#)
                        self.clock.copyNow(to: (line.base + line.count).assumingMemoryBound(to: UInt8.self))
                        line.count += 24
                        line.append(#"","level":"info","msg":""#)
                        let methodAt = line.count
                        line.append(method)
                        line.append(byte: UInt8(ascii: " "))
                        let pathAt = line.count
                        line.append(path)
                        line.append(byte: UInt8(ascii: " "))
                        line.appendDecimal(Int(entry.status))
                        self.identity.withUnsafeBufferPointer { line.append($0) }
                        line.append(requestID)
                        line.append(#"","duration_ms":"#)
                        line.appendMilliseconds(microseconds: entry.elapsedNanoseconds / 1000)
                        line.append(#","http_method":""#)
                        line.appendCopy(from: methodAt, count: method.count)
                        line.append(#"","http_path":""#)
                        line.appendCopy(from: pathAt, count: path.count)
                        line.append(#"","http_status":"#)
                        line.appendDecimal(Int(entry.status))
                        if let trace = entry.trace {
                            trace.storeLogFields(at: (line.base + line.count).assumingMemoryBound(to: UInt8.self))
                            line.count += TraceDigits.logFieldsLength
                        }
                        line.append("}\n")
                    }
                    return true
                }
            }
        }
        return taken.flatMap { $0.flatMap { $0 } } ?? false
    }

    /// No byte that JSON escapes or `loggable` rewrites: below 0x20, `"`, `\`, DEL, `@`.
    /// Eight bytes at a time (`escapedBytes`); the last few padded with a plain byte.
    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var found: UInt64 = 0
        var index = 0
        while index + 8 <= bytes.count {
            found |= Self.escapedBytes(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            index += 8
        }
        if index < bytes.count {
            var word: UInt64 = 0x4141_4141_4141_4141  // "AAAAAAAA"
            withUnsafeMutableBytes(of: &word) { word in
                word.baseAddress!.copyMemory(from: base + index, byteCount: bytes.count - index)
            }
            found |= Self.escapedBytes(word)
        }
        return found == 0
    }

    /// Non-zero when one of the eight bytes of `word` is below 0x20 or one of `"`, `\`, DEL,
    /// `@` (the word tests of "Bit Twiddling Hacks": a byte below `n` for `n` <= 128, and a
    /// zero byte after XOR with the byte sought; borrows make other bytes' bits unreliable,
    /// never the answer itself).
    @inline(__always)
    private static func escapedBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let below = (word &- ones &* 0x20) & ~word & highs
        return below | hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C))
            | hasZero(word ^ (ones &* 0x7F)) | hasZero(word ^ (ones &* 0x40))
    }
}

extension RawOutput {
    /// Milliseconds from `microseconds` as `AccessLog.appendMilliseconds` writes them: up to
    /// three decimals, trailing zeros dropped, at least one (at most 21 bytes).
    mutating func appendMilliseconds(microseconds: UInt64) {
        self.appendDecimal(Int(clamping: microseconds / 1000))
        self.append(byte: UInt8(ascii: "."))
        var fraction = Int(microseconds % 1000)
        var digits = 3
        while digits > 1 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        for index in stride(from: digits - 1, through: 0, by: -1) {
            let digit = UInt8(ascii: "0") + UInt8(fraction % 10)
            self.base.storeBytes(of: digit, toByteOffset: self.count + index, as: UInt8.self)
            fraction /= 10
        }
        self.count += digits
    }
}
