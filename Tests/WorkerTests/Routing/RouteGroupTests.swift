import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import TestSupport
@testable import Worker

@Suite("Router: groups and hooks")
struct RouteGroupTests {
    /// A value hooks put into the context.
    struct Trail: Sendable {
        var steps: [String]
    }

    static func step(_ name: String) -> Hook {
        .sync { _, context in
            var trail = context.get(Trail.self) ?? Trail(steps: [])
            trail.steps.append(name)
            context.set(trail)
        }
    }

    static func routes(_ router: inout Router) {
        router.group("/v1", before: Self.step("outer")) { v1 in
            v1.get("/trail") { _, context in try .json(try context.require(Trail.self).steps) }
            v1.group(
                "/admin",
                before: Self.step("inner"),
                .async { request, _ in
                    if request.headers.first(name: "x-deny") != nil { throw APIError(.forbidden, "Denied") }
                }
            ) { admin in
                admin.get("/trail/{id}") { request, context in
                    try .json(try context.require(Trail.self).steps + [try request.parameters.require("id")])
                }
            }
        }
        router.get("/plain") { _, context in try .json(context.get(Trail.self) == nil) }
    }

    @Test("a group prefixes its routes and runs its hooks in order, outer first", arguments: TestServer.Mode.allCases)
    func hooksRunInOrder(mode: TestServer.Mode) async throws {
        let server = try TestServer(mode, routes: Self.routes)
        #expect(try await server.client.get("/v1/trail").text == #"["outer"]"#)
        #expect(try await server.client.get("/v1/admin/trail/7").text == #"["outer","inner","7"]"#)
        #expect(try await server.client.get("/plain").text == "true")
        #expect(try await server.client.get("/trail").status == 404)
    }

    @Test("a hook ends the request with its APIError; the handler never runs", arguments: TestServer.Mode.allCases)
    func hookEndsRequest(mode: TestServer.Mode) async throws {
        let server = try TestServer(mode, routes: Self.routes)
        let response = try await server.client.get("/v1/admin/trail/7", headers: [("X-Deny", "1")])
        #expect(response.status == 403)
        #expect(response.errorCode == "FORBIDDEN")
        #expect(response.errorMessage == "Denied")
    }

    @Test("the route template is reachable from the match, with the group's prefix")
    func templateOfGroupedRoute() {
        var router = Router()
        Self.routes(&router)
        guard case .found(let route, let parameters) = router.resolve(.GET, "/v1/admin/trail/abc") else {
            Issue.record("no match")
            return
        }
        #expect(route.template == "/v1/admin/trail/{id}")
        #expect(parameters.get("id") == "abc")
    }

    @Test("sync hooks keep a sync route synchronous; an async hook makes it a task")
    func compositionKeepsSyncRoutesSync() {
        let handler = Router.Handler.sync { _, _ in Response.json(.ok, Array("{}".utf8)) }
        guard case .sync = Hook.compose([Self.step("a")], handler) else {
            Issue.record("sync hook made the route async")
            return
        }
        guard case .async = Hook.compose([.async { _, _ in }], handler) else {
            Issue.record("async hook not awaited")
            return
        }
    }

    @Test("a handler asking for a context value no hook set gets 500, not a crash")
    func missingContextValue() async throws {
        let server = try TestServer(.inProcess) { router in
            router.get("/needs") { _, context in try .json(try context.require(Trail.self).steps) }
        }
        let response = try await server.client.get("/needs")
        #expect(response.status == 500)
        #expect(response.errorCode == "INTERNAL_ERROR")
    }
}
