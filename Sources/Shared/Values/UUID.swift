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
        guard bytes.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for position in 0..<36 {
            let byte = bytes[position]
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = Self.nibble(byte) else { return nil }
            if position < 18 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
        }
        return UUID(high: high, low: low)
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

    /// The canonical form into the 36 bytes of `buffer`.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        var index = 0
        func put(_ value: UInt64, nibbles: Int) {
            var shift = (nibbles - 1) * 4
            for _ in 0..<nibbles {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                buffer[index] = Self.hexDigits[Int(value >> UInt64(shift) & 0xF)]
                index += 1
                shift -= 4
            }
        }
        put(self.high, nibbles: 16)
        put(self.low, nibbles: 16)
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

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
