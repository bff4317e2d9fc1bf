import Shared

/// How a `TestClient` reaches the server: in process (no socket, no parser) or over a socket
/// to a live server (the real parser and framing).
public protocol TestTransport: Sendable {
    /// Sends `request` and returns the response.
    func send(_ request: TestRequest) async throws -> TestResponse
}

/// Calls routes the way a client would: `try await client.get("/v1/charts/…")`,
/// `try await client.post("/v1/charts", json: body)`. The same test runs in process or
/// against a live server by swapping the transport.
public struct TestClient: Sendable {
    /// Where requests go.
    public let transport: any TestTransport
    /// Headers sent with every request (e.g. `X-Store-Id`).
    public var defaultHeaders: [(name: String, value: String)]

    /// A client over `transport`.
    public init(_ transport: any TestTransport, defaultHeaders: [(name: String, value: String)] = []) {
        self.transport = transport
        self.defaultHeaders = defaultHeaders
    }

    /// Sends a request as is (plus the default headers).
    public func send(_ request: TestRequest) async throws -> TestResponse {
        var request = request
        request.headers = self.defaultHeaders + request.headers
        return try await self.transport.send(request)
    }

    /// `GET target`.
    public func get(_ target: String, headers: [(name: String, value: String)] = []) async throws -> TestResponse {
        try await self.send(TestRequest(method: "GET", target: target, headers: headers))
    }

    /// `HEAD target`.
    public func head(_ target: String, headers: [(name: String, value: String)] = []) async throws -> TestResponse {
        try await self.send(TestRequest(method: "HEAD", target: target, headers: headers))
    }

    /// `DELETE target`.
    public func delete(_ target: String, headers: [(name: String, value: String)] = []) async throws -> TestResponse {
        try await self.send(TestRequest(method: "DELETE", target: target, headers: headers))
    }

    /// `method target` with `value` encoded as the JSON body.
    public func send(
        _ method: String,
        _ target: String,
        json value: some Encodable,
        headers: [(name: String, value: String)] = []
    ) async throws -> TestResponse {
        try await self.send(method, target, body: try JSONBodyEncoder.encode(value), headers: headers)
    }

    /// `method target` with a raw body (`Content-Type: application/json` unless given).
    public func send(
        _ method: String,
        _ target: String,
        body: some Collection<UInt8>,
        headers: [(name: String, value: String)] = []
    ) async throws -> TestResponse {
        var headers = headers
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/json"))
        }
        return try await self.send(TestRequest(method: method, target: target, headers: headers, body: Array(body)))
    }

    /// `POST target` with `value` as the JSON body.
    public func post(
        _ target: String,
        json value: some Encodable,
        headers: [(name: String, value: String)] = []
    ) async throws -> TestResponse {
        try await self.send("POST", target, json: value, headers: headers)
    }

    /// `POST target` with a raw JSON text body.
    public func post(
        _ target: String,
        jsonText: String,
        headers: [(name: String, value: String)] = []
    ) async throws -> TestResponse {
        try await self.send("POST", target, body: Array(jsonText.utf8), headers: headers)
    }
}
