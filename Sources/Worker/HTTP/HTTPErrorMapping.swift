import Shared

/// Turns every failure a handler meets into the error the client gets: dependency failures
/// and anything a handler throws. Details never reach the client. (Malformed requests are
/// answered by `HTTPRequestParser` and `RequestHeadCheck` with their own errors.)
enum HTTPErrorMapping {
    /// The answer to a handler's error. An `APIError` is the handler's chosen answer; a
    /// database error is answered by `DatabaseErrorMapping`; a saturated pool is 503 with
    /// `Retry-After`; another failed dependency is 503; anything else is 500.
    /// The second value is whether the error is unexpected (its detail must be logged).
    static func response(toHandlerError error: any Error) -> (APIError, unexpected: Bool) {
        switch error {
        case let error as APIError:
            return (error, false)
        case let error as PoolError:
            if case .shutDown = error { return (APIError(.serviceUnavailable), true) }
            return (DatabaseErrorMapping.unavailable, true)
        case let error as PostgresError:
            return DatabaseErrorMapping.response(to: error)
        case let error as RedisError where error.kind != .replyError:
            return (APIError(.serviceUnavailable), true)
        default:
            return (APIError(.internalError), true)
        }
    }
}
