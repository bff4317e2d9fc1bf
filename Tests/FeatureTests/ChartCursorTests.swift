import Shared
import Testing

@testable import Worker

/// The charts list's cursor: opaque, exact, and only valid for the list that issued it.
@Suite("Chart cursor")
struct ChartCursorTests {
    static let id = UUID("0e4b8c3a-8d2f-4a51-b6c7-1f2e3d4c5b6a")!
    static let createdAt = DateTime("2026-11-30T10:00:00.123456Z")!

    @Test("round-trips every listing, with and without a position, before and after 1970")
    func roundTrips() throws {
        let cursors = [
            ChartCursor(listing: .all, createdAt: Self.createdAt, id: Self.id, position: nil),
            ChartCursor(
                listing: .unpinned,
                createdAt: DateTime(microsecondsSinceEpoch: -1),
                id: Self.id,
                position: nil
            ),
            ChartCursor(listing: .pinned, createdAt: Self.createdAt, id: Self.id, position: nil),
            ChartCursor(listing: .pinned, createdAt: Self.createdAt, id: Self.id, position: 0),
            ChartCursor(listing: .pinned, createdAt: Self.createdAt, id: Self.id, position: Int(Int32.max)),
        ]
        for cursor in cursors {
            let token = cursor.token
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(ChartCursor(token: token, for: cursor.listing) == cursor)
        }
    }

    @Test("a position only counts in the pinned listing")
    func positionOnlyInThePinnedListing() {
        let cursor = ChartCursor(listing: .all, createdAt: Self.createdAt, id: Self.id, position: 4)
        #expect(cursor.position == nil)
        #expect(ChartCursor(token: cursor.token, for: .all) == cursor)
    }

    @Test("refuses another listing's token, truncated or padded tokens, and non-canonical base64url")
    func refusesForeignAndDamagedTokens() throws {
        let all = ChartCursor(listing: .all, createdAt: Self.createdAt, id: Self.id, position: nil).token
        let pinned = ChartCursor(listing: .pinned, createdAt: Self.createdAt, id: Self.id, position: 3).token
        #expect(ChartCursor(token: all, for: .pinned) == nil)
        #expect(ChartCursor(token: all, for: .unpinned) == nil)
        #expect(ChartCursor(token: pinned, for: .all) == nil)
        #expect(ChartCursor(token: String(all.dropLast()), for: .all) == nil)
        #expect(ChartCursor(token: all + "AA", for: .all) == nil)
        #expect(ChartCursor(token: all + "=", for: .all) == nil)
        #expect(ChartCursor(token: String(all.dropLast()) + "+", for: .all) == nil)
        // 25 bytes end in 4 unused bits: a last character that sets one is another spelling of
        // the same bytes, refused so that each cursor has one token.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = try #require(alphabet.firstIndex(of: all.last!))
        #expect(last & 0b1111 == 0)
        let respelled = String(all.dropLast()) + String(alphabet[last | 1])
        #expect(ChartCursor(token: respelled, for: .all) == nil)
        #expect(ChartCursor(token: String(repeating: "A", count: 200), for: .all) == nil)
    }
}
