import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import TestSupport
@testable import Worker

@Suite("Router: templates, precedence, 404/405")
struct RouterTests {
    /// A route answering its own name, so a test sees which one matched.
    static func named(_ name: String) -> Router.Handler {
        .sync { _, _ in Response.json(.ok, Array(#"{"route":"\#(name)"}"#.utf8)) }
    }

    static func template(_ router: Router, _ method: HTTPMethod, _ path: String) -> String? {
        if case .found(let route, _) = router.resolve(method, Substring(path)) { return route.template }
        return nil
    }

    @Test("a static segment wins over a parameter, and a dead end backtracks to the parameter")
    func staticWinsAndBacktracks() {
        var router = Router()
        router.on(.GET, "/v1/charts/{chartId}", Self.named("param"))
        router.on(.GET, "/v1/charts/new", Self.named("static"))
        router.on(.GET, "/a/b/c", Self.named("abc"))
        router.on(.GET, "/a/{x}/d", Self.named("axd"))
        router.on(.GET, "/a/b/{y}/e", Self.named("abye"))
        #expect(Self.template(router, .GET, "/v1/charts/new") == "/v1/charts/new")
        #expect(Self.template(router, .GET, "/v1/charts/123") == "/v1/charts/{chartId}")
        #expect(Self.template(router, .GET, "/a/b/c") == "/a/b/c")
        #expect(Self.template(router, .GET, "/a/b/d") == "/a/{x}/d")
        #expect(Self.template(router, .GET, "/a/b/z/e") == "/a/b/{y}/e")
        #expect(Self.template(router, .GET, "/v1/charts/") == nil)
        #expect(Self.template(router, .GET, "/v1/charts/1/x") == nil)
    }

    @Test("parameters are captured in order and percent-decoded")
    func parameters() throws {
        var router = Router()
        router.on(.GET, "/stores/{storeId}/files/{name}", Self.named("file"))
        guard case .found(let route, let parameters) = router.resolve(.GET, "/stores/s%201/files/a%2Fb%zz") else {
            Issue.record("no match")
            return
        }
        #expect(route.template == "/stores/{storeId}/files/{name}")
        #expect(parameters.get("storeId") == "s 1")
        #expect(parameters.get("name") == "a/b%zz")
        #expect(parameters.all.map(\.name) == ["storeId", "name"])
        #expect(throws: MissingRouteValue.self) { try parameters.require("other") }
    }

    @Test("typed parameters: a value that does not parse is 400 naming the parameter")
    func typedParameters() throws {
        var router = Router()
        router.on(.GET, "/n/{count}", Self.named("n"))
        guard case .found(_, let good) = router.resolve(.GET, "/n/42"),
            case .found(_, let bad) = router.resolve(.GET, "/n/4x2")
        else {
            Issue.record("no match")
            return
        }
        #expect(try good.require("count", as: Int.self) == 42)
        #expect {
            try bad.require("count", as: Int.self)
        } throws: { error in
            let error = error as? APIError
            return error?.code == .badRequest && error?.message == "Path parameter 'count' must be an integer"
                && error?.details == [FieldError(field: "count", message: "must be an integer")]
        }
    }

    @Test("each method finds its own route, on static and parameterised paths; HEAD uses GET unless it has its own")
    func everyMethodFindsItsRoute() {
        var router = Router()
        let methods: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .RAW(value: "PURGE")]
        for path in ["/things", "/things/{id}"] {
            for method in methods { router.on(method, path, Self.named(method.rawValue)) }
        }
        router.on(.GET, "/head", Self.named("get"))
        router.on(.HEAD, "/head", Self.named("head"))
        func route(_ method: HTTPMethod, _ path: String) -> Router.Route? {
            if case .found(let route, _) = router.resolve(method, Substring(path)) { return route }
            return nil
        }
        for path in ["/things", "/things/7"] {
            let found = methods.compactMap { route($0, path) }
            #expect(found.count == methods.count)
            #expect(Set(found.map(ObjectIdentifier.init)).count == methods.count)  // one route per method
            #expect(route(.HEAD, path) === route(.GET, path))
            #expect(route(.CONNECT, path) == nil)
            // Registration order decides nothing: the same lookups again give the same routes.
            #expect(methods.compactMap { route($0, path) }.elementsEqual(found, by: ===))
        }
        #expect(route(.HEAD, "/head") != nil && route(.HEAD, "/head") !== route(.GET, "/head"))
    }

    @Test("unknown path is 404; another method is 405 with Allow (HEAD wherever GET); HEAD uses GET")
    func notFoundAndMethodNotAllowed() {
        var router = Router()
        router.on(.GET, "/items/{id}", Self.named("get"))
        router.on(.DELETE, "/items/{id}", Self.named("delete"))
        router.on(.POST, "/items", Self.named("post"))
        guard case .notFound = router.resolve(.GET, "/nothing") else {
            Issue.record("expected 404")
            return
        }
        guard case .methodNotAllowed(let allowed) = router.resolve(.PUT, "/items/1") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["DELETE", "GET", "HEAD"])
        guard case .methodNotAllowed(let staticAllowed) = router.resolve(.GET, "/items") else {
            Issue.record("expected 405")
            return
        }
        #expect(staticAllowed == ["POST"])
        #expect(Self.template(router, .HEAD, "/items/9") == "/items/{id}")
    }

    @Test(
        "404 and 405 envelopes, HEAD, a percent-decoded parameter: in process and live",
        arguments: TestServer.Mode.allCases
    )
    func envelopes(mode: TestServer.Mode) async throws {
        let server = try TestServer(mode) { router in
            router.on(.GET, "/items/{id}", Self.named("get"))
            router.on(.GET, "/echo/{value}", .sync { request, _ in try .json(try request.parameters.require("value")) })
        }
        let missing = try await server.client.get("/nothing")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "NOT_FOUND")
        #expect(missing.errorMessage == "Route GET /nothing not found")
        let wrong = try await server.client.delete("/items/1")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        let head = try await server.client.head("/items/1")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let decoded = try await server.client.get("/echo/a%2Fb%20c%C3%A9?x=1")
        #expect(decoded.text == #""a/b cé""#)
    }

    @Test("a template splits into literal and parameter segments")
    func templateSegments() {
        let template = RouteTemplate("/v1/{a}/x/{b}")
        #expect(template.parameterNames == ["a", "b"])
        #expect(template.segments.first == .literal("v1"))
    }
}
