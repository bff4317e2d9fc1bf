import Shared

/// A request a test sends through a `TestClient`.
public struct TestRequest: Sendable {
    /// `GET`, `POST`, ….
    public var method: String
    /// The target: path and query, e.g. `/v1/charts/1?limit=5`.
    public var target: String
    /// Headers besides `Host`, `Content-Length` and `Connection`, which transports add.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// A request.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// A response as a test sees it, whichever way it came (in process or over a socket).
public struct TestResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The headers, in order.
    public let headers: [(name: String, value: String)]
    /// The body.
    public let body: [UInt8]

    /// A response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    public var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body parsed as JSON.
    public func json() throws -> JSONValue { try JSONParser.parse(self.body) }

    /// The body decoded as a `T` with the service's own decoder (unknown keys fail the test).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONBodyDecoder.decode(type, from: try self.json())
    }

    /// `error.code` of an error envelope, or `nil` when the body is not one.
    public var errorCode: String? { self.error?.code }

    /// `error.message` of an error envelope.
    public var errorMessage: String? { self.error?.message }

    /// `error.details` of an error envelope (empty when there are none).
    public var errorDetails: [FieldError] { self.error?.fields ?? [] }

    private var error: Envelope.Body? {
        guard let envelope = try? self.decode(Envelope.self), !envelope.success else { return nil }
        return envelope.error
    }

    private struct Envelope: Decodable {
        struct Detail: Decodable {
            let field: String
            let message: String
        }

        struct Body: Decodable {
            let code: String
            let message: String
            let details: [Detail]?

            var fields: [FieldError] { (self.details ?? []).map { FieldError(field: $0.field, message: $0.message) } }
        }

        let success: Bool
        let error: Body
    }
}
