import Shared

/// Turns every failure a handler meets into the error the client gets: dependency failures
/// and anything a handler throws. Details never reach the client. (Malformed requests are
/// answered by `HTTPRequestParser` and `RequestHeadCheck` with their own errors.)
enum HTTPErrorMapping {
    /// The answer to a handler's error. An `APIError` is the handler's chosen answer; a
    /// dependency that failed or is saturated is 503 (504 for a timeout); anything else is 500.
    /// The second value is whether the error is unexpected (its detail must be logged).
    static func response(toHandlerError error: any Error) -> (APIError, unexpected: Bool) {
        switch error {
        case let error as APIError:
            return (error, false)
        case let error as PoolError:
            switch error {
            case .timedOut: return (APIError(.gatewayTimeout), true)
            case .overloaded, .shutDown: return (APIError(.serviceUnavailable), true)
            }
        case let error as PostgresError where error.kind != .queryFailed:
            return (APIError(error.kind == .timeout ? .gatewayTimeout : .serviceUnavailable), true)
        case let error as RedisError where error.kind != .replyError:
            return (APIError(.serviceUnavailable), true)
        default:
            return (APIError(.internalError), true)
        }
    }
}
