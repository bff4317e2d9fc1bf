import Shared

/// An open transaction on one connection: what the body of `withTenant` / `withoutTenant`
/// runs its statements through.
///
/// Only valid inside that body (a statement after it returned throws). Every statement runs
/// under the transaction's `statement_timeout`; the client waits a little longer, so the
/// server's `57014` normally arrives first and the connection stays usable. Not thread safe:
/// one body, one thread.
public final class PostgresTransaction {
    /// The tenant (`app.store_id`) of this transaction, `nil` for `withoutTenant`.
    public let storeID: UUID?
    /// Whether the transaction is `READ ONLY`.
    public let isReadOnly: Bool
    private let connection: PostgresConnection
    private let timeout: Duration
    private let isCancelled: () -> Bool
    private var isOpen = true

    /// What a statement, or the commit, meets when the transaction block is failed or gone.
    static let aborted = PostgresError(
        kind: .queryFailed,
        sqlState: SQLState.inFailedSQLTransaction,
        message: "the transaction was aborted by an earlier statement"
    )

    init(
        connection: PostgresConnection,
        storeID: UUID?,
        isReadOnly: Bool,
        timeout: Duration,
        isCancelled: @escaping () -> Bool
    ) {
        self.connection = connection
        self.storeID = storeID
        self.isReadOnly = isReadOnly
        self.timeout = timeout
        self.isCancelled = isCancelled
    }

    /// Runs one statement with typed `$1…` parameters and returns its rows.
    ///
    /// ```swift
    /// let rows = try tx.query("SELECT id, total_amount FROM app.orders WHERE placed_at >= $1", since)
    /// ```
    /// Throws `PostgresError` (map it with `APIError(database:)`), or `CancellationError` when
    /// the request was cancelled (the transaction is then rolled back).
    @discardableResult
    public func query(_ sql: String, _ parameters: any PostgresEncodable...) throws -> PostgresRows {
        try self.query(sql, parameters: parameters)
    }

    /// `query(_:_:)` with the parameters as an array.
    @discardableResult
    public func query(_ sql: String, parameters: [any PostgresEncodable]) throws -> PostgresRows {
        try self.checkUsable()
        // A `BEGIN` that failed (and the body caught the error) leaves no block open: never
        // run a statement outside it, without the tenant and the statement timeout.
        if self.connection.pendingBegin == nil && self.connection.transactionStatus == .idle { throw Self.aborted }
        return try self.connection.query(sql, parameters.map { $0.postgresText }, timeout: self.timeout)
    }

    /// Throws when the transaction ended or its request was cancelled.
    func checkUsable() throws {
        guard self.isOpen else {
            throw PostgresError(kind: .queryFailed, message: "statement after the end of its transaction")
        }
        if self.isCancelled() { throw CancellationError() }
    }

    /// Ends the transaction's life: later statements throw.
    func close() {
        self.isOpen = false
    }
}
