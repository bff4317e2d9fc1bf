import Foundation
import Hummingbird

/// saas-api's error envelope, `{"success":false,"error":{"code":…,"message":…}}`, so both servers
/// answer a bad request the same way (Hummingbird's own `HTTPError` body has another shape).
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    let field: String?

    init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    private struct Envelope: Encodable {
        struct Detail: Encodable {
            let field: String
            let message: String
        }
        struct Body: Encodable {
            let code: String
            let message: String
            let details: [Detail]?
        }
        let success = false
        let error: Body
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let details = self.field.map { [Envelope.Detail(field: $0, message: self.message)] }
        let body = Envelope(error: .init(code: self.code, message: self.message, details: details))
        let data = try JSONEncoder().encode(body)
        return Response(
            status: self.status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
