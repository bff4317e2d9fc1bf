import NIOCore
import Shared

/// Decodes a chunked body (RFC 9112 §7.1) as its bytes arrive, into one buffer, holding it to
/// `MAX_BODY_SIZE` before a chunk is read. Chunk extensions are checked against their grammar
/// and skipped (at most 1 KiB a chunk); trailer fields are checked as fields
/// (`token ":" value`) and dropped (bounded by `MAX_HEADER_BYTES`).
struct ChunkedBodyDecoder {
    /// The outcome of `decode`.
    enum Outcome: Equatable {
        /// Needs more bytes.
        case incomplete
        /// The last chunk and the trailer section were read.
        case complete
        /// Not a valid chunked body, or too large: answer this and close.
        case invalid(APIError)
    }

    private enum State {
        case size(value: Int, digits: Int)
        case sizeExtension(value: Int, length: Int, part: ExtensionPart)
        case sizeLF(value: Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineLF
        case endLF
    }

    /// Where a chunk extension is (RFC 9112 §7.1.1):
    /// `*( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )`.
    fileprivate enum ExtensionPart {
        /// After the size or a complete extension: BWS, `;` or the CR.
        case between
        /// After `;`: BWS, then the name.
        case beforeName
        /// In the name.
        case name
        /// After the name and BWS: `=`, `;` or the CR.
        case afterName
        /// After `=`: BWS, then a token or a quoted string.
        case beforeValue
        /// In a token value.
        case token
        /// In a quoted string.
        case quoted
        /// After a backslash in a quoted string.
        case quotedPair
    }

    private var state = State.size(value: 0, digits: 0)
    private var trailerBytes = 0
    let maxBodySize: Int
    let maxTrailerBytes: Int

    init(limits: HTTPLimits) {
        self.maxBodySize = limits.maxBodySize
        self.maxTrailerBytes = limits.maxHeaderBytes
    }

    /// Consumes what it can of `input` into `body`.
    mutating func decode(_ input: inout ByteBuffer, into body: inout ByteBuffer?) -> Outcome {
        while input.readableBytes > 0 {
            if case .data(let remaining) = self.state {
                let take = min(remaining, input.readableBytes)
                var slice = input.readSlice(length: take)!
                if body == nil {
                    body = slice
                } else {
                    body!.writeBuffer(&slice)
                }
                self.state = take == remaining ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            let byte = input.readInteger(as: UInt8.self)!
            switch self.state {
            case .size(let value, let digits):
                if let digit = byte.hexDigitValue {
                    guard digits < 15 else { return .invalid(Self.invalidChunk) }
                    self.state = .size(value: value << 4 | digit, digits: digits + 1)
                } else if digits > 0, let part = ExtensionPart.between.next(byte) {
                    self.state = .sizeExtension(value: value, length: 1, part: part)
                } else if digits > 0 && byte == .cr {
                    self.state = .sizeLF(value: value)
                } else {
                    return .invalid(Self.invalidChunk)
                }
            case .sizeExtension(let value, let length, let part):
                if byte == .cr && part.mayEnd {
                    self.state = .sizeLF(value: value)
                } else if length >= 1024 {
                    return .invalid(Self.invalidChunk)
                } else if let next = part.next(byte) {
                    self.state = .sizeExtension(value: value, length: length + 1, part: next)
                } else {
                    return .invalid(Self.invalidChunk)
                }
            case .sizeLF(let value):
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                if case .invalid(let error) = self.checkSize(value, body) { return .invalid(error) }
                self.state = value == 0 ? .trailerLineStart : .data(remaining: value)
            case .data:
                preconditionFailure("handled above")
            case .dataCR:
                guard byte == .cr else { return .invalid(Self.invalidChunk) }
                self.state = .dataLF
            case .dataLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                self.state = .size(value: 0, digits: 0)
            case .trailerLineStart, .trailerName, .trailerValue:
                if byte != .cr, case .invalid(let error) = self.countTrailer() { return .invalid(error) }
                guard self.trailer(byte) else { return .invalid(Self.invalidChunk) }
            case .trailerLineLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                self.state = .trailerLineStart
            case .endLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                return .complete
            }
        }
        return .incomplete
    }

    /// One byte of the trailer section; `false` when it does not parse.
    private mutating func trailer(_ byte: UInt8) -> Bool {
        switch self.state {
        case .trailerLineStart:
            // The empty line, or a field: token ":" value (no obs-fold, no space before ":").
            if byte == .cr {
                self.state = .endLF
            } else if byte.isTokenCharacter {
                self.state = .trailerName
            } else {
                return false
            }
        case .trailerName:
            if byte == .colon {
                self.state = .trailerValue
            } else if !byte.isTokenCharacter {
                return false
            }
        case .trailerValue:
            if byte == .cr {
                self.state = .trailerLineLF
            } else if byte != .tab && (byte < 0x20 || byte == 0x7F) {
                return false
            }
        default:
            preconditionFailure("not in the trailer section")
        }
        return true
    }

    private func checkSize(_ size: Int, _ body: ByteBuffer?) -> Outcome {
        if (body?.readableBytes ?? 0) + size > self.maxBodySize {
            return .invalid(APIError(.payloadTooLarge, "The request body exceeds \(self.maxBodySize) bytes"))
        }
        return .incomplete
    }

    private mutating func countTrailer() -> Outcome {
        self.trailerBytes += 1
        guard self.trailerBytes <= self.maxTrailerBytes else {
            return .invalid(APIError(.headersTooLarge, "The trailer fields exceed \(self.maxTrailerBytes) bytes"))
        }
        return .incomplete
    }

    private static let invalidChunk = APIError(.badRequest, "The chunked body is not valid")
}

extension ChunkedBodyDecoder.ExtensionPart {
    /// Whether the chunk line may end here (not inside a name's `=`, a value or a quote).
    fileprivate var mayEnd: Bool {
        switch self {
        case .between, .name, .afterName, .token: true
        case .beforeName, .beforeValue, .quoted, .quotedPair: false
        }
    }

    /// The part after `byte`, or `nil` when the extension does not parse.
    fileprivate func next(_ byte: UInt8) -> Self? {
        let blank = byte == .space || byte == .tab
        let semicolon = byte == UInt8(ascii: ";")
        switch self {
        case .between:
            return blank ? .between : semicolon ? .beforeName : nil
        case .beforeName:
            return blank ? .beforeName : byte.isTokenCharacter ? .name : nil
        case .name, .afterName:
            if byte.isTokenCharacter && self == .name { return .name }
            if blank { return .afterName }
            return semicolon ? .beforeName : byte == UInt8(ascii: "=") ? .beforeValue : nil
        case .beforeValue:
            return blank ? .beforeValue : byte == UInt8(ascii: "\"") ? .quoted : byte.isTokenCharacter ? .token : nil
        case .token:
            return byte.isTokenCharacter ? .token : blank ? .between : semicolon ? .beforeName : nil
        case .quoted:
            // qdtext: HTAB, SP, VCHAR but `"` and `\`, obs-text.
            if byte == UInt8(ascii: "\"") { return .between }
            if byte == UInt8(ascii: "\\") { return .quotedPair }
            return byte == .tab || (byte >= 0x20 && byte != 0x7F) ? .quoted : nil
        case .quotedPair:
            return byte == .tab || (byte >= 0x20 && byte != 0x7F) ? .quoted : nil
        }
    }
}
