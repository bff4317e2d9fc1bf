import Foundation
import Shared
import Testing

@testable import TestSupport
@testable import Worker

@Suite("OpenAPI document: embedded, current, self-consistent and served")
struct OpenAPIDocumentTests {
    /// `docs/openapi.yaml` of this checkout.
    static let sourcePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path

    static func document() throws -> JSONValue {
        try JSONParser.parse(Array(OpenAPIDocument.json.utf8))
    }

    @Test("the embedded YAML is docs/openapi.yaml as committed (else: run scripts/openapi-embed)")
    func embeddedYAMLIsCurrent() throws {
        let source = try String(contentsOfFile: Self.sourcePath, encoding: .utf8)
        #expect(
            OpenAPIDocument.yaml == source,
            "Sources/Worker/Routes/OpenAPIDocument.generated.swift is stale: run scripts/openapi-embed"
        )
    }

    @Test("the embedded JSON parses with the service's parser and is an OpenAPI 3.1 document")
    func embeddedJSONIsOpenAPI31() throws {
        guard case .object(let members) = try Self.document() else {
            Issue.record("not an object")
            return
        }
        #expect(members.first { $0.key == "openapi" }?.value == .string("3.1.0"))
        #expect(members.map(\.key).starts(with: ["openapi", "info"]))
        // The YAML was converted, not copied: a YAML-only text would not parse as JSON at all.
        #expect(!OpenAPIDocument.json.contains("\n"))
    }

    @Test("every route the worker registers is in docs/openapi.yaml, and the document names no other")
    func documentMatchesProductionRouter() throws {
        let router = Routes.makeRouter()
        let differences = try OpenAPIRouteCheck.compare(router, documentJSON: OpenAPIDocument.json)
        #expect(differences.isEmpty, "\(differences)")
        let registered = OpenAPIRouteCheck.registeredRoutes(router)
        #expect(registered.contains(RouteKey(method: "GET", template: "/openapi.json")))
        #expect(registered.contains(RouteKey(method: "PATCH", template: "/v1/charts/{chartId}")))
    }

    @Test("every local $ref points at something that exists")
    func referencesResolve() throws {
        let document = try Self.document()
        var references: [String] = []
        Self.collectReferences(document, into: &references)
        #expect(references.count > 50)
        for reference in references {
            #expect(reference.hasPrefix("#/"), "only local references: \(reference)")
            #expect(
                Self.resolve(reference.dropFirst(2).split(separator: "/"), in: document) != nil,
                "\(reference) resolves"
            )
        }
    }

    @Test(
        "GET /openapi.json and /openapi.yaml serve the embedded texts with their media types",
        arguments: TestServer.Mode.allCases
    )
    func servesBothForms(mode: TestServer.Mode) async throws {
        let server = try TestServer(mode)
        let json = try await server.client.get("/openapi.json")
        #expect(json.status == 200)
        #expect(json.header("Content-Type") == "application/json")
        #expect(json.text == OpenAPIDocument.json)
        let yaml = try await server.client.get("/openapi.yaml")
        #expect(yaml.status == 200)
        #expect(yaml.header("Content-Type") == "application/yaml")
        #expect(yaml.text == OpenAPIDocument.yaml)
        let head = try await server.client.head("/openapi.yaml")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    private static func collectReferences(_ value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let members):
            for member in members {
                if member.key == "$ref", case .string(let reference) = member.value {
                    references.append(reference)
                } else {
                    self.collectReferences(member.value, into: &references)
                }
            }
        case .array(let items):
            for item in items { self.collectReferences(item, into: &references) }
        default: break
        }
    }

    /// The value at a JSON pointer's tokens (`~1` is `/`, `~0` is `~`).
    private static func resolve(_ tokens: [Substring], in value: JSONValue) -> JSONValue? {
        guard let token = tokens.first else { return value }
        let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        switch value {
        case .object(let members):
            guard let child = members.first(where: { $0.key == key })?.value else { return nil }
            return self.resolve(Array(tokens.dropFirst()), in: child)
        case .array(let items):
            guard let index = Int(key), items.indices.contains(index) else { return nil }
            return self.resolve(Array(tokens.dropFirst()), in: items[index])
        default: return nil
        }
    }
}
