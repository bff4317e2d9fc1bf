import NIOHTTP1
import Shared
import Testing

@testable import Worker

@Suite("OpenAPI route check: the pure comparison, on synthetic routers and documents")
struct OpenAPIRouteCheckTests {
    static let handler = Router.Handler.sync { _, _ in Response.json(.ok, Array("{}".utf8)) }

    static func key(_ method: String, _ template: String) -> RouteKey {
        RouteKey(method: method, template: template)
    }

    static func document(_ json: String) throws -> JSONValue {
        try JSONParser.parse(Array(json.utf8))
    }

    @Test("lists every method and template a router serves, static and with parameters, without implicit HEAD")
    func listsRegisteredRoutes() {
        var router = Router()
        router.on(.GET, "/health", Self.handler)
        router.on(.GET, "/v1/charts", Self.handler)
        router.on(.POST, "/v1/charts", Self.handler)
        router.on(.GET, "/v1/charts/{chartId}", Self.handler)
        router.on(.PATCH, "/v1/charts/{chartId}", Self.handler)
        router.on(.DELETE, "/v1/charts/{chartId}", Self.handler)
        router.on(.GET, "/v1/charts/new", Self.handler)
        router.on(.PUT, "/a/{x}/d", Self.handler)
        router.on(.GET, "/a/b/c", Self.handler)
        router.on(.HEAD, "/only-head", Self.handler)
        #expect(
            OpenAPIRouteCheck.registeredRoutes(router) == [
                Self.key("GET", "/a/b/c"),
                Self.key("PUT", "/a/{x}/d"),
                Self.key("GET", "/health"),
                Self.key("HEAD", "/only-head"),
                Self.key("GET", "/v1/charts"),
                Self.key("POST", "/v1/charts"),
                Self.key("GET", "/v1/charts/new"),
                Self.key("DELETE", "/v1/charts/{chartId}"),
                Self.key("GET", "/v1/charts/{chartId}"),
                Self.key("PATCH", "/v1/charts/{chartId}"),
            ]
        )
    }

    @Test("reads the operations of `paths`, ignoring the other keys of a path item")
    func readsDocumentedRoutes() throws {
        let document = try Self.document(
            #"""
            {"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{
              "/v1/charts/{chartId}":{"parameters":[],"summary":"s","get":{},"patch":{},"delete":{}},
              "/health":{"description":"d","get":{},"servers":[]},
              "/x":{"trace":{},"options":{},"head":{},"put":{},"post":{},"x-internal":{}}},
             "components":{"schemas":{"get":{}}}}
            """#
        )
        #expect(
            try OpenAPIRouteCheck.documentedRoutes(document) == [
                Self.key("GET", "/health"),
                Self.key("DELETE", "/v1/charts/{chartId}"),
                Self.key("GET", "/v1/charts/{chartId}"),
                Self.key("PATCH", "/v1/charts/{chartId}"),
                Self.key("HEAD", "/x"),
                Self.key("OPTIONS", "/x"),
                Self.key("POST", "/x"),
                Self.key("PUT", "/x"),
                Self.key("TRACE", "/x"),
            ]
        )
    }

    @Test("a document without paths, or with a path item it cannot see into, is an error, not a pass")
    func rejectsUnreadableDocuments() throws {
        for json in [
            #"[]"#,
            #"{"openapi":"3.1.0"}"#,
            #"{"paths":[]}"#,
            #"{"paths":{"/a":[]}}"#,
            #"{"paths":{"a":{"get":{}}}}"#,
            ##"{"paths":{"/a":{"$ref":"#/components/pathItems/A"}}}"##,
        ] {
            #expect(throws: OpenAPIRouteCheck.MalformedDocument.self, "\(json)") {
                try OpenAPIRouteCheck.documentedRoutes(Self.document(json))
            }
        }
    }

    @Test("the same routes on both sides: no difference")
    func agreementIsEmpty() {
        let routes = [
            Self.key("GET", "/health"), Self.key("POST", "/v1/charts"), Self.key("GET", "/v1/charts/{chartId}"),
        ]
        let differences = OpenAPIRouteCheck.compare(registered: routes, documented: routes.reversed())
        #expect(differences.isEmpty)
        #expect(differences.description.isEmpty)
    }

    @Test("a registered route the document lacks is reported, whether its path or only its method is missing")
    func reportsUndocumentedRoutes() {
        let differences = OpenAPIRouteCheck.compare(
            registered: [
                Self.key("GET", "/health"), Self.key("GET", "/v1/charts"), Self.key("POST", "/v1/charts"),
                Self.key("DELETE", "/v1/charts/{chartId}"),
            ],
            documented: [Self.key("GET", "/health"), Self.key("GET", "/v1/charts")]
        )
        #expect(
            differences.undocumented == [Self.key("POST", "/v1/charts"), Self.key("DELETE", "/v1/charts/{chartId}")]
        )
        #expect(differences.unregistered.isEmpty)
        #expect(differences.description.contains("registered but not in docs/openapi.yaml: POST /v1/charts"))
    }

    @Test("a documented route or method nobody serves is reported")
    func reportsUnregisteredRoutes() {
        let differences = OpenAPIRouteCheck.compare(
            registered: [Self.key("GET", "/v1/charts/{chartId}")],
            documented: [
                Self.key("GET", "/v1/charts/{chartId}"), Self.key("PUT", "/v1/charts/{chartId}"),
                Self.key("GET", "/v1/reports"),
            ]
        )
        #expect(differences.undocumented.isEmpty)
        #expect(differences.unregistered == [Self.key("PUT", "/v1/charts/{chartId}"), Self.key("GET", "/v1/reports")])
        #expect(differences.description.contains("in docs/openapi.yaml but not registered: GET /v1/reports"))
    }

    @Test("a parameter named differently is a different template: reported on both sides")
    func parameterNamesMatter() {
        let differences = OpenAPIRouteCheck.compare(
            registered: [Self.key("GET", "/v1/charts/{chartId}")],
            documented: [Self.key("GET", "/v1/charts/{id}")]
        )
        #expect(differences.undocumented == [Self.key("GET", "/v1/charts/{chartId}")])
        #expect(differences.unregistered == [Self.key("GET", "/v1/charts/{id}")])
    }

    @Test("HEAD: implicit with GET (documented or not), but a documented HEAD without GET is unregistered")
    func headFollowsGet() {
        let differences = OpenAPIRouteCheck.compare(
            registered: [Self.key("GET", "/health"), Self.key("POST", "/v1/charts")],
            documented: [
                Self.key("GET", "/health"), Self.key("HEAD", "/health"), Self.key("POST", "/v1/charts"),
                Self.key("HEAD", "/v1/charts"),
            ]
        )
        #expect(differences.undocumented.isEmpty)
        #expect(differences.unregistered == [Self.key("HEAD", "/v1/charts")])
    }

    @Test("end to end on a synthetic router and document text")
    func comparesRouterWithDocumentText() throws {
        var router = Router()
        router.on(.GET, "/health", Self.handler)
        router.on(.GET, "/v1/charts/{chartId}", Self.handler)
        router.on(.DELETE, "/v1/charts/{chartId}", Self.handler)
        let json = #"{"openapi":"3.1.0","paths":{"/health":{"get":{}},"/v1/charts/{chartId}":{"get":{},"patch":{}}}}"#
        let differences = try OpenAPIRouteCheck.compare(router, documentJSON: json)
        #expect(differences.undocumented == [Self.key("DELETE", "/v1/charts/{chartId}")])
        #expect(differences.unregistered == [Self.key("PATCH", "/v1/charts/{chartId}")])
        #expect(throws: JSONSyntaxError.self) { try OpenAPIRouteCheck.compare(router, documentJSON: "{") }
    }
}
