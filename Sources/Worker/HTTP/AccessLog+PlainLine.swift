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
        var methodText = entry.method.rawValue
        var uri = entry.uri
        var requestID = entry.requestID
        return methodText.withUTF8 { method in
            uri.withUTF8 { uri in
                requestID.withUTF8 { requestID in
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
    }

    /// No byte that JSON escapes or `loggable` rewrites: below 0x20, `"`, `\`, DEL, `@`.
    /// One bit test a byte (`escapedLow`/`escapedHigh` hold those bytes' bits); bytes from
    /// 0x80 on are plain.
    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var hits: UInt64 = 0
        for byte in bytes {
            let bit = UInt64(1) &<< UInt64(byte & 63)
            hits |= byte < 64 ? Self.escapedLow & bit : byte < 128 ? Self.escapedHigh & bit : 0
        }
        return hits == 0
    }

    /// Bytes 0x00–0x3F that are not plain: the controls and `"`.
    private static let escapedLow: UInt64 = 0xFFFF_FFFF | 1 << 0x22
    /// Bytes 0x40–0x7F that are not plain: `@`, `\`, DEL.
    private static let escapedHigh: UInt64 = 1 << (0x40 - 64) | 1 << (0x5C - 64) | 1 << (0x7F - 64)
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
