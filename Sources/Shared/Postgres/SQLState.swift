/// The SQLSTATE codes the service branches on (PostgreSQL, Appendix A "Error Codes").
///
/// A code's first two characters are its class: `23` integrity, `22` data, `40` transaction
/// rollback, `08` connection, `57` operator intervention, `53` insufficient resources.
public enum SQLState {
    /// `23505` unique_violation.
    public static let uniqueViolation = "23505"
    /// `23503` foreign_key_violation.
    public static let foreignKeyViolation = "23503"
    /// `23514` check_violation.
    public static let checkViolation = "23514"
    /// `23502` not_null_violation.
    public static let notNullViolation = "23502"
    /// `23P01` exclusion_violation.
    public static let exclusionViolation = "23P01"
    /// `22P02` invalid_text_representation (a value that does not parse as its type).
    public static let invalidTextRepresentation = "22P02"
    /// `22001` string_data_right_truncation (a value too long for `varchar(n)`).
    public static let stringDataRightTruncation = "22001"
    /// `22003` numeric_value_out_of_range.
    public static let numericValueOutOfRange = "22003"
    /// `22007` invalid_datetime_format.
    public static let invalidDatetimeFormat = "22007"
    /// `22008` datetime_field_overflow.
    public static let datetimeFieldOverflow = "22008"
    /// `22023` invalid_parameter_value.
    public static let invalidParameterValue = "22023"
    /// `42501` insufficient_privilege: also what a row-level-security `WITH CHECK` raises.
    public static let insufficientPrivilege = "42501"
    /// `40001` serialization_failure.
    public static let serializationFailure = "40001"
    /// `40P01` deadlock_detected.
    public static let deadlockDetected = "40P01"
    /// `25006` read_only_sql_transaction (a write in `BEGIN READ ONLY`).
    public static let readOnlySQLTransaction = "25006"
    /// `25P02` in_failed_sql_transaction.
    public static let inFailedSQLTransaction = "25P02"
    /// `26000` invalid_sql_statement_name (a prepared statement the session does not have).
    public static let invalidSQLStatementName = "26000"
    /// `0A000` feature_not_supported (also "cached plan must not change result type": a prepared
    /// statement whose result columns changed under it).
    public static let featureNotSupported = "0A000"
    /// `57014` query_canceled (`statement_timeout` or a cancel request).
    public static let queryCanceled = "57014"
    /// `55P03` lock_not_available (`lock_timeout`, `NOWAIT`).
    public static let lockNotAvailable = "55P03"
    /// `53300` too_many_connections.
    public static let tooManyConnections = "53300"
    /// `57P01` admin_shutdown.
    public static let adminShutdown = "57P01"
    /// `57P02` crash_shutdown.
    public static let crashShutdown = "57P02"
    /// `57P03` cannot_connect_now (starting up, in recovery).
    public static let cannotConnectNow = "57P03"

    /// Whether the whole transaction may succeed when run again (serialization failure,
    /// deadlock): the database chose it as the victim, not the data.
    public static func isTransient(_ code: String?) -> Bool {
        code == Self.serializationFailure || code == Self.deadlockDetected
    }
}
