/// An exact decimal number kept as its text (`"1234.500000"`, `"-0.25"`), for money and every
/// other `numeric` value: it never goes through `Double`, so no amount is ever rounded.
///
/// The grammar is the plain decimal form PostgreSQL prints for `numeric` and JSON clients are
/// told to send: an optional `-`, one or more digits, optionally `.` and one or more digits.
/// No exponent, no `+`, no blanks, no leading `.`; at most 38 digits before the point and 38
/// after it. Arithmetic belongs in SQL; this type carries values in and out exactly.
public struct DecimalString: Hashable, Sendable, LosslessStringConvertible, Codable {
    /// The text, exactly as parsed or built.
    public let text: String

    /// Parses `text`, or `nil` when it is not a plain decimal number.
    public init?(_ text: some StringProtocol) {
        guard Self.isValid(text.utf8) else { return nil }
        self.text = String(text)
    }

    /// A whole number.
    public init(_ value: Int) {
        self.text = String(value)
    }

    /// The text.
    public var description: String { self.text }

    /// Whether the number is below zero (`-0` and `-0.00` are not).
    public var isNegative: Bool {
        self.text.utf8.first == UInt8(ascii: "-")
            && self.text.utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    }

    /// Digits after the decimal point (0 for a whole number).
    public var scale: Int {
        guard let point = self.text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return self.text.utf8.distance(from: point, to: self.text.utf8.endIndex) - 1
    }

    /// Decodes a JSON string (`"12.50"`). A JSON number is refused: a decoder may already have
    /// turned it into a binary float.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = DecimalString(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "must be a decimal number in a string, e.g. \"12.50\""
            )
        }
        self = value
    }

    /// Encodes as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.text)
    }

    private static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var integerDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        for (offset, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where offset == 0:
                continue
            case UInt8(ascii: ".") where !seenPoint && integerDigits > 0:
                seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if seenPoint { fractionDigits += 1 } else { integerDigits += 1 }
            default:
                return false
            }
        }
        return integerDigits > 0 && integerDigits <= 38 && fractionDigits <= 38 && (!seenPoint || fractionDigits > 0)
    }
}
