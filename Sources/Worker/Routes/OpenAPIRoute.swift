import NIOCore
import NIOHTTP1

/// `GET /openapi.json` and `GET /openapi.yaml`: the API's OpenAPI 3.1 document
/// (`docs/openapi.yaml`). Both texts are compiled in (`OpenAPIDocument`, written by
/// `scripts/openapi-embed`), so serving them reads no file and parses nothing.
enum OpenAPIRoute {
    /// Registers both routes.
    static func register(in router: inout Router) {
        router.on(.GET, "/openapi.json", .sync { _, _ in Response.json(.ok, buffer: Self.json) })
        router.on(
            .GET,
            "/openapi.yaml",
            .sync { _, _ in Response(status: .ok, headers: Self.yamlHeaders, body: Self.yaml) }
        )
    }

    // Copied into a buffer on first use (a lazy global), shared after that: a worker that is
    // never asked for the document never holds a copy of it.
    private static let json = ByteBuffer(string: OpenAPIDocument.json)
    private static let yaml = ByteBuffer(string: OpenAPIDocument.yaml)
    private static let yamlHeaders = HTTPHeaders([("Content-Type", "application/yaml")])
}
