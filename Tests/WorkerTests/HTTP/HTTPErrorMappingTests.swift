import NIOHTTP1
import Shared
import Testing

@testable import Worker

/// Codec and handler errors become safe answers.
@Suite("HTTP error mapping")
struct HTTPErrorMappingTests {
    static let limits = HTTPLimits(config: Config(cpuCount: 1))

    @Test func parserErrorsMapToTheirStatus() {
        let expectations: [(HTTPParserError, Int?)] = [
            (.headerOverflow, 431), (.invalidMethod, 501), (.invalidVersion, 505), (.invalidURL, 400),
            (.invalidContentLength, 400), (.unexpectedContentLength, 400), (.invalidChunkSize, 400),
            (.invalidHeaderToken, 400), (.lfExpected, 400), (.unknown, 400), (.invalidEOFState, nil),
        ]
        for (error, status) in expectations {
            #expect(HTTPErrorMapping.response(to: error, limits: Self.limits)?.status == status, "\(error)")
        }
    }

    @Test func dependencyFailuresAre503Or504() {
        let cases: [(any Error, ErrorCode)] = [
            (PoolError.overloaded(pool: "postgres"), .serviceUnavailable),
            (PoolError.timedOut(pool: "redis"), .gatewayTimeout),
            (PostgresError(kind: .connectionFailed, message: "refused"), .serviceUnavailable),
            (PostgresError(kind: .timeout, message: "slow"), .gatewayTimeout),
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
