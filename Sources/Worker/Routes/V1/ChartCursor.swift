import Database
import Shared

/// Where a page of the charts list ends: the sort key of its last chart, plus the listing it
/// belongs to, handed to the client as an opaque base64url token (`next_cursor`) and taken back
/// as `?cursor=`.
///
/// Bytes (big-endian): the listing (1 byte), `created_at` in microseconds (8), the id (16), and
/// for the pinned listing `position` (a 0/1 presence byte, then 4 bytes when present). A token
/// that does not decode to exactly that, or that was issued for another listing (another
/// ordering or filter), is refused: keyset pagination is only exact within one listing.
struct ChartCursor: Equatable {
    /// Which list a cursor walks: the filter decides the ordering.
    enum Listing: UInt8, Equatable {
        /// Every chart, newest first.
        case all = 1
        /// `pinned=false`, newest first.
        case unpinned = 2
        /// `pinned=true`, by `position` (nulls last), then newest first.
        case pinned = 3
    }

    let listing: Listing
    let createdAt: DateTime
    let id: UUID
    /// The chart's position (pinned listing only; `nil` there for a chart without one).
    let position: Int?

    /// The cursor after `chart` in `listing`.
    init(after chart: Chart, in listing: Listing) {
        self.init(listing: listing, createdAt: chart.createdAt, id: chart.id, position: chart.position)
    }

    /// The cursor after row `row` of a result of `Chart.columns` in `listing` (read by position,
    /// as `Chart` reads it).
    init(after row: Int, of result: PostgresResult, in listing: Listing) throws(PostgresDecodingError) {
        self.init(
            listing: listing,
            createdAt: try result.decode(row, 12, name: "created_at"),
            id: try result.decode(row, 0, name: "id"),
            position: try result.decodeIfPresent(row, 8, name: "position")
        )
    }

    init(listing: Listing, createdAt: DateTime, id: UUID, position: Int?) {
        self.listing = listing
        self.createdAt = createdAt
        self.id = id
        self.position = listing == .pinned ? position : nil
    }

    /// The token for the client.
    var token: String {
        var bytes: [UInt8] = [self.listing.rawValue]
        bytes.reserveCapacity(30)
        Self.append(UInt64(bitPattern: self.createdAt.microsecondsSinceEpoch), bytes: 8, to: &bytes)
        Self.append(self.id.high, bytes: 8, to: &bytes)
        Self.append(self.id.low, bytes: 8, to: &bytes)
        if self.listing == .pinned {
            if let position = self.position {
                bytes.append(1)
                Self.append(UInt64(UInt32(truncatingIfNeeded: position)), bytes: 4, to: &bytes)
            } else {
                bytes.append(0)
            }
        }
        return Base64URL.encode(bytes)
    }

    /// The cursor in `token`, or `nil` when it is not one this server issued for `listing`.
    init?(token: String, for listing: Listing) {
        guard token.utf8.count <= 64, let bytes = Base64URL.decode(token), bytes.count >= 25,
            bytes[0] == listing.rawValue
        else { return nil }
        let createdAt = DateTime(microsecondsSinceEpoch: Int64(bitPattern: Self.read(bytes, at: 1, count: 8)))
        let id = UUID(high: Self.read(bytes, at: 9, count: 8), low: Self.read(bytes, at: 17, count: 8))
        var position: Int?
        switch (listing, bytes.count) {
        case (.all, 25), (.unpinned, 25):
            position = nil
        case (.pinned, 26) where bytes[25] == 0:
            position = nil
        case (.pinned, 30) where bytes[25] == 1:
            position = Int(Int32(bitPattern: UInt32(Self.read(bytes, at: 26, count: 4))))
        default:
            return nil
        }
        self.init(listing: listing, createdAt: createdAt, id: id, position: position)
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func read(_ bytes: [UInt8], at start: Int, count: Int) -> UInt64 {
        bytes[start..<start + count].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Base64url without padding (RFC 4648 §5), strict: only the alphabet, no padding, unused
/// trailing bits zero, so each byte string has exactly one token.
private enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | UInt32(offset < count ? bytes[index + offset] : 0) }
            for sextet in 0...count { out.append(self.alphabet[Int(group >> UInt32(18 - 6 * sextet) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard let value = self.value(of: byte) else { return nil }
            values.append(value)
        }
        guard values.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var group: UInt32 = 0
            for offset in 0..<4 { group = group << 6 | UInt32(offset < count ? values[index + offset] : 0) }
            let produced = count - 1
            // Bits past the last whole byte must be zero, or two tokens would decode alike.
            if produced < 3, group & ((UInt32(1) << UInt32(24 - 8 * produced)) - 1) != 0 { return nil }
            for offset in 0..<produced { bytes.append(UInt8(truncatingIfNeeded: group >> UInt32(16 - 8 * offset))) }
            index += 4
        }
        return bytes
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
