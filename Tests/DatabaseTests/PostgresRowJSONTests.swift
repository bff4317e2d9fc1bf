import Shared
import TestSupport
import Testing

@testable import Database

/// `PostgresRowJSON` on PostgreSQL's real text output: each kind writes what the service's
/// writers write for the value the column decodes to, in any session time zone, and refuses
/// what decoding refuses.
@Suite("Rows written as JSON", .migratedDatabase)
struct PostgresRowJSONTests {
    private static let layout = PostgresRowJSON([
        .text("t", nullable: true), .uuid("u", nullable: true), .timestamp("at"), .boolean("b"),
        .integer("i", nullable: true), .json("j"),
    ])

    /// `(t, u, at, b, i, j)` rows covering each kind's edge cases.
    private static let sql = """
        SELECT * FROM (VALUES
          ('plain', gen_random_uuid(), '2026-11-30 10:00:00+00'::timestamptz, true, 0, '{}'::jsonb),
          (E'quote " back \\\\ line\\n tab\\t ctl \\x01', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid,
           '2026-11-30 10:00:00.1+00', false, -1, '{"a":[1,2.50,{"b":"é \\"q\\""}],"c":null}'),
          ('Umsätze 日本 😀', NULL, '2026-11-30 10:00:00.12+00', true, 2147483647, '"text"'),
          ('', NULL, '2026-11-30 10:00:00.123+00', true, NULL, 'null'),
          (NULL, NULL, '2026-11-30 10:00:00.1234+00', true, -9223372036854775808, '[]'),
          (NULL, NULL, '2026-11-30 10:00:00.000001+00', true, 9223372036854775807, '1e3'),
          (NULL, NULL, '0001-01-02 00:00:00+00', true, 10, '{}'),
          (NULL, NULL, '9999-12-30 23:59:59.999999+00', true, 10, '{}'),
          (NULL, NULL, '1969-12-31 23:59:59.999+00', true, 10, '{}')
        ) AS v(t, u, at, b, i, j)
        """

    /// The object the struct path writes for row `row`: each column decoded, then written.
    private static func reference(_ result: PostgresResult, row: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: #"{"t":"#.utf8)
        JSONWriter.appendQuotedOrNull(try result.decodeIfPresent(row, 0, name: "t") as String?, to: &bytes)
        bytes.append(contentsOf: #","u":"#.utf8)
        JSONWriter.appendQuotedOrNull(try result.decodeIfPresent(row, 1, name: "u") as UUID?, to: &bytes)
        bytes.append(contentsOf: #","at":"#.utf8)
        JSONWriter.appendQuoted(try result.decode(row, 2, name: "at") as DateTime, to: &bytes)
        bytes.append(contentsOf: #","b":"#.utf8)
        bytes.append(contentsOf: (try result.decode(row, 3, name: "b") as Bool ? "true" : "false").utf8)
        bytes.append(contentsOf: #","i":"#.utf8)
        JSONWriter.appendIntegerOrNull(try result.decodeIfPresent(row, 4, name: "i") as Int?, to: &bytes)
        bytes.append(contentsOf: #","j":"#.utf8)
        bytes.append(contentsOf: RawJSON(trusted: try result.decode(row, 5, name: "j") as String).text.utf8)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// `layout`'s objects for `rows` of `result` (all by default), in room of exactly its bound.
    private static func written(
        _ layout: PostgresRowJSON,
        _ result: PostgresResult,
        rows: Range<Int>? = nil
    ) throws(PostgresDecodingError) -> [UInt8] {
        let rows = rows ?? 0..<result.count
        let bound = layout.bound(result, rows: rows)
        var failure: PostgresDecodingError?
        let bytes = [UInt8](unsafeUninitializedCapacity: bound) { room, count in
            do throws(PostgresDecodingError) {
                count = try layout.write(result, rows: rows, to: UnsafeMutableRawPointer(room.baseAddress!))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        #expect(bytes.count <= bound - 8)  // the eight bytes a key's copy may write past the end
        return bytes
    }

    /// Runs `sql` in `timeZone` and hands the result to `body`.
    @discardableResult
    private func withResult<T>(
        _ sql: String,
        timeZone: String = "UTC",
        _ body: (PostgresResult) throws -> T
    ) throws -> T {
        let database = try #require(TestDatabase.current)
        let connection = try database.connect(.rw)
        try connection.execute("SET TimeZone = '\(timeZone)'", timeout: .seconds(10))
        let outcome = try connection.queryAsTenant(
            UUID(),
            readOnly: true,
            statementTimeout: .seconds(10),
            sql,
            parameters: []
        ) { result in Result { try body(result) } }
        return try #require(outcome).get()
    }

    @Test(
        "each kind writes what decoding then writing gives, in any session time zone",
        arguments: ["UTC", "Asia/Kolkata", "America/St_Johns"]
    )
    func writesWhatTheStructPathWrites(timeZone: String) throws {
        try self.withResult(Self.sql, timeZone: timeZone) { result in
            #expect(result.count == 9)
            let expected = try (0..<result.count).map { try Self.reference(result, row: $0) }
            let joined = Array(expected.joined(separator: [UInt8(ascii: ",")]))
            let bytes = try Self.written(Self.layout, result)
            #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: joined, as: UTF8.self))
            #expect(bytes == joined)
        }
    }

    @Test func aNullWhereNoneIsDeclaredOrABadValueIsTheDecodingError() throws {
        try self.withResult("SELECT NULL::text AS t") { result in
            #expect(throws: PostgresDecodingError(column: "t", expected: "String", problem: .null)) {
                try Self.written(PostgresRowJSON([.text("t")]), result)
            }
        }
        let bad: [(String, PostgresRowJSON.Column)] = [
            ("SELECT 'x'::text AS v", .uuid("v")), ("SELECT 'yes'::text AS v", .boolean("v")),
            ("SELECT '1.5'::text AS v", .integer("v")), ("SELECT 'infinity'::timestamptz AS v", .timestamp("v")),
            ("SELECT '0044-03-15 BC'::timestamptz AS v", .timestamp("v")),
            ("SELECT 'x026-11-30 10:00:00+00'::text AS v", .timestamp("v")),
            ("SELECT '2026-11-30 10:00:00.+00'::text AS v", .timestamp("v")),
        ]
        for (sql, column) in bad {
            try self.withResult(sql) { result in
                #expect(throws: PostgresDecodingError(column: "v", expected: column.kind.rawValue, problem: .invalid)) {
                    try Self.written(PostgresRowJSON([column]), result)
                }
            }
        }
    }

    @Test func textInAnotherFormIsParsedAndPrintedAsDecodingWould() throws {
        let sql = """
            SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::text AS u, '007'::text AS i, '-0'::text AS z,
                   '2026-11-30T10:00:00.5Z'::text AS at, '2026-11-30 10:00:00.500000+00'::text AS padded
            """
        let layout = PostgresRowJSON([.uuid("u"), .integer("i"), .integer("z"), .timestamp("at"), .timestamp("padded")])
        try self.withResult(sql) { result in
            let expected =
                #"{"u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","i":7,"z":0,"#
                + #""at":"2026-11-30T10:00:00.500Z","padded":"2026-11-30T10:00:00.500Z"}"#
            let bytes = try Self.written(layout, result)
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
        }
        try self.withResult("SELECT '--------9c0b-4ef8-bb6d-6bb9bd380a11'::text AS v, 1 AS w") { result in
            #expect(throws: PostgresDecodingError(column: "v", expected: "UUID", problem: .invalid)) {
                try Self.written(PostgresRowJSON([.uuid("v"), .integer("w")]), result)
            }
            #expect(throws: PostgresDecodingError(column: "*", expected: "1 columns", problem: .missing)) {
                try Self.written(PostgresRowJSON([.uuid("v")]), result)
            }
        }
    }

    @Test func aTimestampChangedAtAnyPlaceIsJudgedAsDateTimeJudgesIt() throws {
        let original = Array("2026-11-30 10:00:00.123+00".utf8)
        var texts: [String] = []
        for index in original.indices {
            for replacement in "x:/09 -+." {
                var bytes = original
                bytes[index] = UInt8(ascii: replacement.unicodeScalars.first!)
                texts.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        let sql = "SELECT v FROM (VALUES " + texts.map { "('\($0)')" }.joined(separator: ",") + ") AS t(v)"
        let layout = PostgresRowJSON([.timestamp("v")])
        try self.withResult(sql) { result in
            #expect(result.count == texts.count)
            for (row, text) in texts.enumerated() {
                if let instant = DateTime(text) {
                    let bytes = try Self.written(layout, result, rows: row..<(row + 1))
                    #expect(
                        String(decoding: bytes, as: UTF8.self) == #"{"v":""# + instant.description + #""}"#,
                        "\(text)"
                    )
                } else {
                    #expect(throws: PostgresDecodingError.self, "\(text)") {
                        try Self.written(layout, result, rows: row..<(row + 1))
                    }
                }
            }
        }
    }

    @Test func utcTimestampsTakeTheRewriteNotTheParser() {
        // The rewrite and the parser agree (the tests above); this one checks that the rewrite is
        // the path taken for what PostgreSQL prints in a UTC session, and that it refuses the
        // days that do not exist as `DateTime` does.
        let texts = [
            "2026-11-30 10:00:00+00", "2026-11-30 10:00:00.1+00", "2026-11-30 10:00:00.123456+00",
            "0001-01-02 00:00:00+00", "9999-12-30 23:59:59.999+00", "2024-02-29 00:00:00+00",
            "2000-02-29 00:00:00+00", "2026-12-31 00:00:00+00", "2026-04-30 00:00:00+00",
            "2023-02-29 00:00:00+00", "2100-02-29 00:00:00+00", "2026-04-31 00:00:00+00",
            "0000-01-01 00:00:00+00", "2026-00-10 00:00:00+00", "2026-13-10 00:00:00+00",
            "2026-01-10 24:00:00+00", "2026-01-10 23:60:00+00", "2026-01-10 23:59:60+00",
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            var rewritten: String?
            _ = [UInt8](unsafeUninitializedCapacity: DateTime.maxRFC3339Length) { room, count in
                let written = bytes.withUnsafeBufferPointer {
                    PostgresJSONValue.rewriteUTC($0, to: UnsafeMutableRawPointer(room.baseAddress!))
                }
                count = written ?? 0
                rewritten = written.map { String(decoding: room[..<$0], as: UTF8.self) }
            }
            #expect(rewritten == DateTime(text)?.description, "\(text)")
        }
        #expect(texts.filter { DateTime($0) != nil }.count == 9)
    }

    @Test func theBoundHoldsRowsOfNullsAndEmptyText() throws {
        // `null` is longer than the quotes of empty text, and nothing else in the row is reserved
        // generously here.
        let layout = PostgresRowJSON([
            .text("a", nullable: true), .text("b", nullable: true), .json("c", nullable: true),
        ])
        try self.withResult("SELECT NULL::text AS a, NULL::text AS b, NULL::jsonb AS c FROM generate_series(1, 50)") {
            result in
            let bytes = try Self.written(layout, result)
            #expect(bytes.count == 50 * #"{"a":null,"b":null,"c":null}"#.utf8.count + 49)
        }
        try self.withResult("SELECT ''::text AS a, ''::text AS b, '{}'::jsonb AS c FROM generate_series(1, 50)") {
            result in
            let bytes = try Self.written(layout, result)
            #expect(bytes.count == 50 * #"{"a":"","b":"","c":{}}"#.utf8.count + 49)
        }
    }

    @Test func theSelectListNamesTheColumnsInOrder() {
        #expect(Self.layout.selectList == "t, u, at, b, i, j")
    }
}
