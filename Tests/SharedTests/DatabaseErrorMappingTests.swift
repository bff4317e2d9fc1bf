import Shared
import Testing

/// The SQLSTATE → answer table (pure); `DatabaseErrorMappingTests` in DatabaseTests checks the
/// same table against errors a real PostgreSQL raises.
@Suite("Database error mapping")
struct DatabaseErrorMappingTests {
    private func answer(_ sqlState: String?, constraint: String? = nil, column: String? = nil) -> APIError {
        DatabaseErrorMapping.response(
            to: PostgresError(
                kind: .queryFailed,
                sqlState: sqlState,
                message: "detail with a value 'secret'",
                constraint: constraint,
                column: column
            )
        ).0
    }

    @Test func everySQLStateHasItsDocumentedAnswer() {
        let table: [(String, ErrorCode)] = [
            ("23505", .conflict), ("23P01", .conflict), ("23503", .validationError), ("23514", .validationError),
            ("23502", .validationError), ("22001", .validationError), ("22003", .validationError),
            ("22P02", .badRequest), ("22007", .badRequest), ("22008", .badRequest), ("42501", .forbidden),
            ("40001", .serviceUnavailable), ("40P01", .serviceUnavailable), ("57014", .serviceUnavailable),
            ("55P03", .serviceUnavailable), ("53300", .serviceUnavailable), ("57P01", .serviceUnavailable),
            ("57P03", .serviceUnavailable), ("08006", .serviceUnavailable), ("42601", .internalError),
            ("25006", .internalError), ("XX000", .internalError),
        ]
        for (sqlState, code) in table {
            #expect(self.answer(sqlState).code == code, "\(sqlState)")
        }
        #expect(self.answer(nil).code == .internalError)
    }

    @Test func unavailableAnswersCarryRetryAfter() {
        for sqlState in ["40001", "40P01", "57014", "08006"] {
            #expect(self.answer(sqlState).headers.map(\.0) == ["Retry-After"], "\(sqlState)")
        }
        for kind in [PostgresError.Kind.connectionFailed, .connectionBroken, .timeout] {
            let (answer, unexpected) = DatabaseErrorMapping.response(to: PostgresError(kind: kind, message: "x"))
            #expect(answer.code == .serviceUnavailable && unexpected)
            #expect(answer.headers.first?.1 == "1")
        }
    }

    @Test func messagesNameTheConstraintOrColumnButNeverTheServerText() {
        let conflict = self.answer("23505", constraint: "orders_store_id_external_id_key")
        #expect(
            conflict.message
                == "A record with the same key already exists (constraint \"orders_store_id_external_id_key\")"
        )
        let missing = self.answer("23502", column: "placed_at")
        #expect(missing.message == "A required value is missing (column \"placed_at\")")
        for sqlState in ["23505", "23503", "23514", "22P02", "42501", "40001", "XX000"] {
            #expect(!self.answer(sqlState, constraint: "c").message.contains("secret"), "\(sqlState)")
        }
    }

    @Test func clientMistakesAreNotLoggedAsUnexpected() {
        for sqlState in ["23505", "23503", "23514", "22P02", "22001", "42501"] {
            #expect(
                !DatabaseErrorMapping.response(to: PostgresError(kind: .queryFailed, sqlState: sqlState, message: ""))
                    .unexpected
            )
        }
        #expect(
            DatabaseErrorMapping.response(to: PostgresError(kind: .queryFailed, sqlState: "XX000", message: ""))
                .unexpected
        )
    }
}
