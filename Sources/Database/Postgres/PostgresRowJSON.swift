import Shared

/// How the rows of a result are written as JSON objects straight from libpq's buffer, for the
/// hottest list routes: a page becomes response bytes with no Swift value per row and no
/// `String` per column (text escaped once from the buffer, `jsonb` copied as it is, UUIDs and
/// timestamps rewritten byte by byte).
///
/// A response type declares its columns once, in select-list order, each with its JSON kind;
/// the key is the column's name:
/// ```swift
/// static let json = PostgresRowJSON([
///     .uuid("id"), .text("title"), .text("description", nullable: true), .json("spec"),
///     .boolean("pinned"), .integer("position", nullable: true), .timestamp("created_at"),
/// ])
/// static let columns = json.selectList  // "id, title, description, spec, pinned, …"
/// ```
/// and a route's `decode` (on the pool thread, the result alive) writes a page of rows into
/// reserved room: `bound(result, rows:)` bytes at most, `write(result, rows:, to:)` the objects
/// separated by commas (see `ChartListQuery.body`).
///
/// Each kind writes exactly what `JSONBodyEncoder` writes for the value the column decodes to
/// (`UUID` lowercase, `DateTime` RFC 3339 in UTC, `String` escaped, `RawJSON` as is, `Int`,
/// `Bool`, `null`), so a type that also has a struct form (`Chart`) answers the same bytes either
/// way: keep a test that compares the two on real rows. A NULL in a column not declared
/// `nullable`, or a value that does not parse, throws `PostgresDecodingError` as decoding does.
public struct PostgresRowJSON: Sendable {
    /// One column: its name (the JSON key), how its text becomes JSON, whether it may be NULL.
    public struct Column: Sendable {
        /// How a column's text becomes JSON.
        public enum Kind: String, Sendable {
            /// Any text, as an escaped string (`String`).
            case text = "String"
            /// `uuid`, quoted lowercase (`UUID`).
            case uuid = "UUID"
            /// `timestamptz`, quoted RFC 3339 in UTC (`DateTime`).
            case timestamp = "DateTime"
            /// `boolean`, `true` / `false` (`Bool`).
            case boolean = "Bool"
            /// An integer column, its digits (`Int`).
            case integer = "Int"
            /// `json` / `jsonb`, the text as it is (`RawJSON`).
            case json = "RawJSON"
        }

        public let name: String
        public let kind: Kind
        public let nullable: Bool

        /// A column of `kind`.
        public init(_ name: String, _ kind: Kind, nullable: Bool = false) {
            self.name = name
            self.kind = kind
            self.nullable = nullable
        }

        public static func text(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .text, nullable: nullable)
        }
        public static func uuid(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .uuid, nullable: nullable)
        }
        public static func timestamp(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .timestamp, nullable: nullable)
        }
        public static func boolean(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .boolean, nullable: nullable)
        }
        public static func integer(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .integer, nullable: nullable)
        }
        public static func json(_ name: String, nullable: Bool = false) -> Column {
            .init(name, .json, nullable: nullable)
        }
    }

    /// The columns, in select-list order.
    public let columns: [Column]
    /// What the write loop reads per column: plain values (no reference counting per cell).
    private let cells: [Cell]
    /// Every column's prefix back to back: `{"first":`, then `,"name":` for the others.
    private let prefixes: [UInt8]
    /// The columns whose room depends on their length (text, json).
    private let sized: [Int]
    /// The room of a row beyond its `sized` columns: prefixes, fixed-width values, `}` and `,`.
    private let fixedRoom: Int

    private struct Cell {
        let kind: Column.Kind
        let nullable: Bool
        let prefixStart: Int
        let prefixCount: Int
    }

    /// Rows of `columns` (whose names need no JSON escaping: SQL identifiers).
    public init(_ columns: [Column]) {
        precondition(!columns.isEmpty, "a JSON object of no column")
        var prefixes: [UInt8] = []
        var cells: [Cell] = []
        var sized: [Int] = []
        var fixedRoom = 2
        for (index, column) in columns.enumerated() {
            let start = prefixes.count
            prefixes.append(contentsOf: (index == 0 ? "{\"" : ",\"").utf8)
            prefixes.append(contentsOf: column.name.utf8)
            prefixes.append(contentsOf: "\":".utf8)
            cells.append(
                Cell(
                    kind: column.kind,
                    nullable: column.nullable,
                    prefixStart: start,
                    prefixCount: prefixes.count - start
                )
            )
            switch column.kind {
            case .text, .json: sized.append(index)
            case .uuid: fixedRoom += 38
            case .timestamp: fixedRoom += DateTime.maxRFC3339Length + 2
            case .boolean: fixedRoom += 5
            case .integer: fixedRoom += 20  // `-9223372036854775808`
            }
        }
        self.columns = columns
        self.cells = cells
        // Read eight bytes at a time (`copyPrefix`): the last one may read past its end.
        self.prefixes = prefixes + repeatElement(0, count: 8)
        self.sized = sized
        self.fixedRoom = fixedRoom + prefixes.count
    }

    /// The select list: the column names, comma-separated.
    public var selectList: String { self.columns.map(\.name).joined(separator: ", ") }

    /// The most bytes `write` writes for `rows` of `result`.
    public func bound(_ result: PostgresResult, rows: Range<Int>) -> Int {
        // And room for the bytes a prefix copied eight at a time writes past its end.
        var total = rows.count * self.fixedRoom + 8
        for row in rows {
            for column in self.sized {
                let length = result.length(row, column)
                // A NULL is `null` (four bytes); `json` text is written as it is.
                total += max(4, self.cells[column].kind == .text ? JSONWriter.quotedBound(length) : length)
            }
        }
        return total
    }

    /// Writes `rows` of `result` at `out` (room for `bound(result, rows:)` bytes) as JSON
    /// objects separated by commas; returns the bytes written.
    public func write(
        _ result: PostgresResult,
        rows: Range<Int>,
        to out: UnsafeMutableRawPointer
    ) throws(PostgresDecodingError) -> Int {
        guard result.columnCount == self.cells.count else {
            throw PostgresDecodingError(column: "*", expected: "\(self.cells.count) columns", problem: .missing)
        }
        var failure: (column: Int, problem: PostgresDecodingError.Problem)?
        let count = self.prefixes.withUnsafeBytes { prefixes in
            self.cells.withUnsafeBufferPointer { cells in
                var count = 0
                for row in rows {
                    if row != rows.lowerBound {
                        out.storeBytes(of: UInt8(ascii: ","), toByteOffset: count, as: UInt8.self)
                        count += 1
                    }
                    for column in cells.indices {
                        let cell = cells[column]
                        Self.copyPrefix(prefixes.baseAddress! + cell.prefixStart, cell.prefixCount, to: out + count)
                        count += cell.prefixCount
                        guard let text = result.value(row, column) else {
                            guard cell.nullable else {
                                failure = (column, .null)
                                return count
                            }
                            count += PostgresJSONValue.writeNull(to: out + count)
                            continue
                        }
                        guard let written = PostgresJSONValue.write(cell.kind, text, to: out + count) else {
                            failure = (column, .invalid)
                            return count
                        }
                        count += written
                    }
                    out.storeBytes(of: UInt8(ascii: "}"), toByteOffset: count, as: UInt8.self)
                    count += 1
                }
                return count
            }
        }
        if let failure { throw self.error(failure.column, failure.problem) }
        return count
    }

    /// Copies a prefix of `count` bytes eight at a time (a call to `memcpy` per key would cost
    /// more than the copy), writing up to seven bytes past it, which what follows overwrites.
    @inline(__always)
    private static func copyPrefix(_ source: UnsafeRawPointer, _ count: Int, to out: UnsafeMutableRawPointer) {
        var offset = 0
        while offset < count {
            let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            out.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
    }

    private func error(_ column: Int, _ problem: PostgresDecodingError.Problem) -> PostgresDecodingError {
        let column = self.columns[column]
        return PostgresDecodingError(column: column.name, expected: column.kind.rawValue, problem: problem)
    }
}
