/// An error from PostgreSQL or from talking to it.
///
/// `description` names the kind, the SQLSTATE and the server's primary message. It never
/// contains the SQL text, parameters or the connection string (which may hold a password).
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, stable enough to branch on.
    public enum Kind: String, Sendable, Equatable {
        /// The connection could not be established (refused, DNS, authentication, …).
        case connectionFailed = "CONNECTION_FAILED"
        /// The deadline passed before the server answered.
        case timeout = "TIMEOUT"
        /// The server reported an error for the statement (see `sqlState`).
        case queryFailed = "QUERY_FAILED"
        /// The connection broke while in use; it must be discarded.
        case connectionBroken = "CONNECTION_BROKEN"
    }

    /// What went wrong.
    public let kind: Kind
    /// The five-character SQLSTATE when the server sent one (e.g. `23505`).
    public let sqlState: String?
    /// The server's or libpq's primary message, one line.
    public let message: String
    /// The constraint the server names for an integrity error (`orders_store_id_external_id_key`).
    public let constraint: String?
    /// The column the server names (e.g. for a NOT NULL violation).
    public let column: String?
    /// The table the server names.
    public let table: String?

    /// Creates an error.
    public init(
        kind: Kind,
        sqlState: String? = nil,
        message: String,
        constraint: String? = nil,
        column: String? = nil,
        table: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.constraint = constraint
        self.column = column
        self.table = table
    }

    /// One line: `QUERY_FAILED 23505: duplicate key value violates unique constraint "x"`.
    public var description: String {
        if let sqlState {
            return "\(self.kind.rawValue) \(sqlState): \(self.message)"
        }
        return "\(self.kind.rawValue): \(self.message)"
    }

    /// Whether the connection that produced this error can no longer be used.
    public var breaksConnection: Bool {
        self.kind != .queryFailed
    }
}
