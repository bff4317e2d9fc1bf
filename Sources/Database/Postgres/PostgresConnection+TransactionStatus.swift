extension PostgresConnection {
    /// Where the connection stands in a transaction (`PQtransactionStatus`): what the pool looks
    /// at before it hands the connection to the next user.
    public enum TransactionStatus: Sendable {
        /// Not in a transaction: safe to hand to the next user.
        case idle
        /// A statement is still running (e.g. its deadline passed before the answer came).
        case active
        /// Inside a transaction block.
        case inTransaction
        /// Inside a failed transaction block (only ROLLBACK is accepted).
        case failed
        /// The connection is bad.
        case unknown
    }
}
