import Foundation
import Testing

@testable import Shared

@Suite("Error model")
struct APIErrorTests {
    @Test("every code maps to its HTTP status")
    func statusPerCode() {
        let expected: [ErrorCode: Int] = [
            .badRequest: 400, .validationError: 422, .unauthorized: 401, .forbidden: 403, .notFound: 404,
            .methodNotAllowed: 405, .requestTimeout: 408, .conflict: 409, .preconditionFailed: 412,
            .payloadTooLarge: 413, .uriTooLong: 414, .unsupportedMediaType: 415, .expectationFailed: 417,
            .tooManyRequests: 429, .headersTooLarge: 431, .internalError: 500, .notImplemented: 501,
            .serviceUnavailable: 503, .gatewayTimeout: 504, .httpVersionNotSupported: 505,
        ]
        #expect(Set(expected.keys) == Set(ErrorCode.allCases))
        for (code, status) in expected {
            #expect(code.status == status, "\(code)")
            #expect(APIError(code).status == status)
        }
    }

    @Test("codes are SCREAMING_SNAKE_CASE and unique")
    func codeSpelling() {
        let raw = ErrorCode.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        for code in raw {
            #expect(code.allSatisfy { $0.isUppercase || $0 == "_" }, "\(code)")
        }
    }

    @Test("every code's envelope is {success:false, error:{code, message}} and valid JSON")
    func envelopePerCode() throws {
        for code in ErrorCode.allCases {
            let error = APIError(code)
            let object = try JSONSerialization.jsonObject(with: Data(error.envelope)) as? [String: Any]
            let json = try #require(object)
            #expect(Set(json.keys) == ["success", "error"])
            #expect(json["success"] as? Bool == false)
            let inner = try #require(json["error"] as? [String: Any])
            #expect(Set(inner.keys) == ["code", "message"])
            #expect(inner["code"] as? String == code.rawValue)
            #expect(inner["message"] as? String == code.defaultMessage)
        }
    }

    @Test("the envelope escapes hostile text and 404 names the route")
    func envelopeEscapes() throws {
        let error = APIError.routeNotFound(method: "GET", path: "/a\"b\\c\u{01}")
        let text = String(decoding: error.envelope, as: UTF8.self)
        #expect(text == #"{"success":false,"error":{"code":"NOT_FOUND","message":"Route GET /a\"b\\c? not found"}}"#)
        let object = try JSONSerialization.jsonObject(with: Data(error.envelope)) as? [String: Any]
        #expect(object != nil)
    }

    @Test("405 carries the Allow header")
    func methodNotAllowedHasAllow() {
        let error = APIError.methodNotAllowed(method: "POST", path: "/health", allowed: ["GET", "HEAD"])
        #expect(error.status == 405)
        #expect(error.headers.first?.0 == "Allow")
        #expect(error.headers.first?.1 == "GET, HEAD")
    }
}

@Suite("Error model: field details")
struct APIErrorDetailsTests {
    @Test("details appear inside error only when there are some, escaped")
    func envelopeWithDetails() {
        let error = APIError(
            .validationError,
            details: [FieldError(field: "items[0].title", message: "must not be \"empty\"")]
        )
        #expect(
            String(decoding: error.envelope, as: UTF8.self)
                == #"{"success":false,"error":{"code":"VALIDATION_ERROR","message":"The request failed validation","#
                + #""details":[{"field":"items[0].title","message":"must not be \"empty\""}]}}"#
        )
        #expect(
            String(decoding: APIError(.notFound).envelope, as: UTF8.self)
                == #"{"success":false,"error":{"code":"NOT_FOUND","message":"Not found"}}"#
        )
        #expect(error != APIError(.validationError))
    }
}
