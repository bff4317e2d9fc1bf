/// The stable, machine-readable error codes of the API, one per case, each with its HTTP status.
///
/// Clients branch on `code`; the message is for humans. Adding a case is an API change.
public enum ErrorCode: String, Sendable, CaseIterable {
    case badRequest = "BAD_REQUEST"
    case validationError = "VALIDATION_ERROR"
    case unauthorized = "UNAUTHORIZED"
    case forbidden = "FORBIDDEN"
    case notFound = "NOT_FOUND"
    case methodNotAllowed = "METHOD_NOT_ALLOWED"
    case requestTimeout = "REQUEST_TIMEOUT"
    case conflict = "CONFLICT"
    case preconditionFailed = "PRECONDITION_FAILED"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    case uriTooLong = "URI_TOO_LONG"
    case unsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
    case expectationFailed = "EXPECTATION_FAILED"
    case tooManyRequests = "TOO_MANY_REQUESTS"
    case headersTooLarge = "HEADERS_TOO_LARGE"
    case internalError = "INTERNAL_ERROR"
    case notImplemented = "NOT_IMPLEMENTED"
    case serviceUnavailable = "SERVICE_UNAVAILABLE"
    case gatewayTimeout = "GATEWAY_TIMEOUT"
    case httpVersionNotSupported = "HTTP_VERSION_NOT_SUPPORTED"

    /// The HTTP status code this error is answered with.
    public var status: Int {
        switch self {
        case .badRequest: 400
        case .validationError: 422
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .requestTimeout: 408
        case .conflict: 409
        case .preconditionFailed: 412
        case .payloadTooLarge: 413
        case .uriTooLong: 414
        case .unsupportedMediaType: 415
        case .expectationFailed: 417
        case .tooManyRequests: 429
        case .headersTooLarge: 431
        case .internalError: 500
        case .notImplemented: 501
        case .serviceUnavailable: 503
        case .gatewayTimeout: 504
        case .httpVersionNotSupported: 505
        }
    }

    /// A safe default message for the code, used when none more specific is given.
    public var defaultMessage: String {
        switch self {
        case .badRequest: "The request is malformed"
        case .validationError: "The request failed validation"
        case .unauthorized: "Authentication is required"
        case .forbidden: "Not allowed"
        case .notFound: "Not found"
        case .methodNotAllowed: "Method not allowed"
        case .requestTimeout: "The request took too long to arrive"
        case .conflict: "The request conflicts with the current state"
        case .preconditionFailed: "A precondition of the request (If-Match) failed"
        case .payloadTooLarge: "The request body is too large"
        case .uriTooLong: "The request URL is too long"
        case .unsupportedMediaType: "Unsupported media type"
        case .expectationFailed: "Only the expectation 100-continue is supported"
        case .tooManyRequests: "Too many requests"
        case .headersTooLarge: "The request headers are too large"
        case .internalError: "An internal error occurred"
        case .notImplemented: "Not implemented"
        case .serviceUnavailable: "The service is temporarily unavailable"
        case .gatewayTimeout: "The request did not complete in time"
        case .httpVersionNotSupported: "Only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}
