import Shared

/// The rows of a statement's result, copied out of libpq's `PGresult` before it is freed.
public struct PostgresRows: Sendable, Equatable {
    /// Column names, in order.
    public let columns: [String]
    /// Each row's values in text format; `nil` is SQL NULL.
    public let rows: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE (`PQcmdTuples`), or 0.
    public let affectedRows: Int

    /// Creates a result.
    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The value of the first column of the first row, if any.
    public var scalar: String? {
        self.rows.first?.first ?? nil
    }

    /// The values of the named column, one per row.
    public func column(_ name: String) -> [String?] {
        guard let index = self.columns.firstIndex(of: name) else { return [] }
        return self.rows.map { $0[index] }
    }
}
