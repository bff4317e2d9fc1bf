/// A UUID (RFC 9562), without Foundation: parsed from and printed as the canonical 36-character
/// form (`8-4-4-4-12` hex digits, printed lowercase), as PostgreSQL's `uuid` type prints it.
///
/// The worker links no Foundation (it would cost ~1.5 MB of resident memory per process), so
/// path parameters, JSON bodies and database rows use this type.
public struct UUID: Hashable, Sendable, Comparable, LosslessStringConvertible, Codable {
    /// The 16 bytes, most significant first, as two big-endian halves.
    public let high: UInt64
    /// The low 8 bytes.
    public let low: UInt64

    /// A UUID from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A random (version 4) UUID from the system's CSPRNG.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(random: &generator)
    }

    /// A version 4 UUID from `generator`.
    public init(random generator: inout some RandomNumberGenerator) {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        self.high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        self.low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    }

    /// Parses the canonical form (hyphens at 8, 13, 18, 23; hex digits of either case).
    /// Anything else (braces, no hyphens, surrounding blanks) is `nil`.
    public init?(_ text: some StringProtocol) {
        // Over contiguous bytes (every native string) the scan is a plain loop.
        let parsed =
            text.utf8.withContiguousStorageIfAvailable(Self.parse)
            ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    /// `init(_:)` over UTF-8 bytes (a database result read in place).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Self.parse(bytes) else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36, bytes[8] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: "-"),
            bytes[18] == UInt8(ascii: "-"), bytes[23] == UInt8(ascii: "-")
        else { return nil }
        // The 32 digits, high half first; a bad digit sets `invalid` (no branch per digit).
        var invalid: UInt8 = 0
        func digits(_ range: Range<Int>, into value: inout UInt64) {
            for index in range {
                let (nibble, bad) = Self.nibble(bytes[index])
                value = value << 4 | UInt64(nibble)
                invalid |= bad
            }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        digits(0..<8, into: &high)
        digits(9..<13, into: &high)
        digits(14..<18, into: &high)
        digits(19..<23, into: &low)
        digits(24..<36, into: &low)
        return invalid == 0 ? UUID(high: high, low: low) : nil
    }

    /// `8-4-4-4-12` lowercase hex digits.
    public var description: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            self.write(into: buffer)
            return 36
        }
    }

    /// Appends `description`'s 36 bytes to `bytes` without building a `String` (JSON bodies).
    public func appendCanonical(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { buffer in
            self.write(into: UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + 36)]))
        }
    }

    /// The canonical form into the 36 bytes of `buffer`: two digits per byte from a table,
    /// hyphens at their places.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        let hex = Self.hexDigits.utf8Start
        var index = 0
        func put(_ value: UInt64, bytes: Int, shift: inout Int) {
            for _ in 0..<bytes {
                let byte = Int(truncatingIfNeeded: value >> UInt64(shift)) & 0xFF
                buffer[index] = hex[byte >> 4]
                buffer[index + 1] = hex[byte & 0xF]
                index += 2
                shift -= 8
            }
        }
        var shift = 56
        put(self.high, bytes: 4, shift: &shift)
        buffer[8] = UInt8(ascii: "-")
        index = 9
        put(self.high, bytes: 2, shift: &shift)
        buffer[13] = UInt8(ascii: "-")
        index = 14
        put(self.high, bytes: 2, shift: &shift)
        buffer[18] = UInt8(ascii: "-")
        index = 19
        shift = 56
        put(self.low, bytes: 2, shift: &shift)
        buffer[23] = UInt8(ascii: "-")
        index = 24
        put(self.low, bytes: 6, shift: &shift)
    }

    /// The version field (4 for random UUIDs).
    public var version: Int { Int(self.high >> 12 & 0xF) }

    public static func < (lhs: UUID, rhs: UUID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Decodes the canonical string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = UUID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a UUID")
        }
        self = value
    }

    /// Encodes the canonical string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A hex digit's value, and 1 when `byte` is none (then the value is meaningless).
    @inline(__always)
    private static func nibble(_ byte: UInt8) -> (UInt8, UInt8) {
        let digit = byte &- UInt8(ascii: "0")
        let letter = (byte | 0x20) &- UInt8(ascii: "a")  // either case
        if digit < 10 { return (digit, 0) }
        return (letter &+ 10, letter < 6 ? 0 : 1)
    }
}
