import NIOHTTP1
import Shared
import Testing

@testable import Worker

/// Handler errors become safe answers.
@Suite("HTTP error mapping")
struct HTTPErrorMappingTests {
    @Test func dependencyFailuresAre503() {
        let cases: [(any Error, ErrorCode)] = [
            (PoolError.overloaded(pool: "postgres"), .serviceUnavailable),
            (PoolError.timedOut(pool: "redis"), .serviceUnavailable),
            (PostgresError(kind: .connectionFailed, message: "refused"), .serviceUnavailable),
            (PostgresError(kind: .timeout, message: "slow"), .serviceUnavailable),
            (PostgresError(kind: .queryFailed, sqlState: "42601", message: "syntax"), .internalError),
            (RedisError(kind: .connectionBroken, message: "reset"), .serviceUnavailable),
            (APIError(.conflict), .conflict),
        ]
        for (error, code) in cases {
            #expect(HTTPErrorMapping.response(toHandlerError: error).0.code == code, "\(error)")
        }
    }

    @Test func messagesNeverCarryTheCause() {
        let (answer, unexpected) = HTTPErrorMapping.response(
            toHandlerError: PostgresError(kind: .connectionFailed, message: "password=secret")
        )
        #expect(unexpected)
        #expect(!answer.message.contains("secret"))
    }
}
