extension PostgresRows: RandomAccessCollection {
    /// The index of the first row.
    public var startIndex: Int { 0 }

    /// One past the last row.
    public var endIndex: Int { self.rows.count }

    /// The row at `index`, read by column name (see `PostgresRow`).
    public subscript(index: Int) -> PostgresRow {
        PostgresRow(columns: self.columns, values: self.rows[index])
    }
}
