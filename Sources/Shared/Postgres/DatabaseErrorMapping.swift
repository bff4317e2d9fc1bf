/// The one place a database error becomes the client's answer; every route gets it through
/// the worker's error mapping, so handlers just let `PostgresError` propagate.
///
/// | SQLSTATE | answer |
/// | --- | --- |
/// | `23505` unique, `23P01` exclusion | `409 CONFLICT`, naming the constraint |
/// | `23503` foreign key, `23514` check, `23502` not null, `22001` too long, `22003` out of range | `422 VALIDATION_ERROR`, naming the constraint or column |
/// | `22P02`, `22007`, `22008` (a value that does not parse) | `400 BAD_REQUEST` |
/// | `42501` (row-level security `WITH CHECK`, missing privilege) | `403 FORBIDDEN` |
/// | `40001`, `40P01` (after the one retry of the transaction) | `503` + `Retry-After` |
/// | `57014` statement timeout, `55P03` lock timeout, `53300`, `57P01`–`57P03`, class `08` | `503` + `Retry-After` |
/// | no answer before the deadline, lost or refused connection | `503` + `Retry-After` |
/// | anything else | `500 INTERNAL_ERROR` |
///
/// A row another tenant owns is invisible, not forbidden: reads find nothing and the route
/// answers `404` itself. `42501` only comes from writes the policy refuses (e.g. a `store_id`
/// that is not the tenant's), hence `403`. Messages name a constraint or column (schema
/// names, never SQL or values).
public enum DatabaseErrorMapping {
    /// Seconds a client is told to wait after a `503` caused by the database.
    public static let retryAfterSeconds = 1

    /// `503 SERVICE_UNAVAILABLE` with `Retry-After`.
    public static var unavailable: APIError {
        APIError(.serviceUnavailable, headers: [("Retry-After", String(Self.retryAfterSeconds))])
    }

    /// The answer to `error`; `unexpected` is true when its detail belongs in the log (an
    /// outage or a bug, not a client's mistake).
    public static func response(to error: PostgresError) -> (APIError, unexpected: Bool) {
        guard error.kind == .queryFailed else { return (Self.unavailable, true) }
        let code = error.sqlState ?? ""
        switch code {
        case SQLState.uniqueViolation:
            return (APIError(.conflict, "A record with the same key already exists" + Self.naming(error)), false)
        case SQLState.exclusionViolation:
            return (APIError(.conflict, "The record overlaps an existing one" + Self.naming(error)), false)
        case SQLState.foreignKeyViolation:
            return (
                APIError(
                    .validationError,
                    "A referenced record does not exist or is still referenced" + Self.naming(error)
                ),
                false
            )
        case SQLState.checkViolation:
            return (APIError(.validationError, "A value is not allowed" + Self.naming(error)), false)
        case SQLState.notNullViolation:
            return (APIError(.validationError, "A required value is missing" + Self.naming(error)), false)
        case SQLState.stringDataRightTruncation:
            return (APIError(.validationError, "A value is too long" + Self.naming(error)), false)
        case SQLState.numericValueOutOfRange:
            return (APIError(.validationError, "A number is out of range" + Self.naming(error)), false)
        case SQLState.invalidTextRepresentation, SQLState.invalidDatetimeFormat, SQLState.datetimeFieldOverflow:
            return (APIError(.badRequest, "A value has an invalid format" + Self.naming(error)), false)
        case SQLState.insufficientPrivilege:
            return (APIError(.forbidden, "Not allowed for this store"), false)
        case SQLState.serializationFailure, SQLState.deadlockDetected, SQLState.queryCanceled,
            SQLState.lockNotAvailable, SQLState.tooManyConnections, SQLState.adminShutdown,
            SQLState.crashShutdown, SQLState.cannotConnectNow:
            return (Self.unavailable, true)
        default:
            if code.hasPrefix("08") { return (Self.unavailable, true) }
            return (APIError(.internalError), true)
        }
    }

    /// ` (constraint "x")` or ` (column "y")`, or nothing when the server named neither.
    static func naming(_ error: PostgresError) -> String {
        if let constraint = error.constraint, !constraint.isEmpty {
            return " (constraint \"\(APIError.printable(constraint))\")"
        }
        if let column = error.column, !column.isEmpty {
            return " (column \"\(APIError.printable(column))\")"
        }
        return ""
    }
}
