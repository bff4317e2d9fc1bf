import NIOHTTP1
import Shared

/// Turns every failure the HTTP layer meets into the error the client gets: codec errors,
/// dependency failures and anything a handler throws. Details never reach the client.
enum HTTPErrorMapping {
    /// The answer to a request the decoder refused, or `nil` when there is nobody to answer
    /// (the client closed mid-request).
    static func response(to error: HTTPParserError, limits: HTTPLimits) -> APIError? {
        switch error {
        case .headerOverflow:
            return APIError(
                .headersTooLarge,
                "The request head exceeds \(limits.maxURLLength + limits.maxHeaderBytes) bytes"
                    + " or \(limits.maxHeaderCount) header fields"
            )
        case .invalidMethod:
            return APIError(.notImplemented, "The request method is not supported")
        case .invalidVersion:
            return APIError(.httpVersionNotSupported)
        case .invalidURL:
            return APIError(.badRequest, "The request target is not valid")
        case .invalidContentLength, .unexpectedContentLength:
            return APIError(.badRequest, "The Content-Length header is not valid or conflicts with Transfer-Encoding")
        case .invalidChunkSize:
            return APIError(.badRequest, "The chunked body is not valid")
        case .invalidEOFState, .closedConnection:
            return nil
        default:
            return APIError(.badRequest, "The request is not valid HTTP/1.1")
        }
    }

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
