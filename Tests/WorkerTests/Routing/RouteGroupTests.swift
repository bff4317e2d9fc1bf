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

    /// A future hook: at once when the request says `x-cached`, else after a wait on the event
    /// loop; `x-deny` fails it at once, `x-fail` fails its future.
    static let lookup = Hook.future { request, context in
        if request.headers.first(name: "x-deny") != nil { throw APIError(.forbidden, "Denied") }
        guard request.headers.first(name: "x-cached") == nil else {
            context.set(Trail(steps: ["cached"]))
            return nil
        }
        let waiting = context
        let failing = request.headers.first(name: "x-fail") != nil
        return context.eventLoop.scheduleTask(in: .milliseconds(1)) { () throws -> RequestContext in
            if failing { throw APIError(.notFound, "Not there") }
            var ready = waiting
            ready.set(Trail(steps: ["looked up"]))
            return ready
        }.futureResult
    }

    static func futureRoutes(_ router: inout Router) {
        router.group("/f", before: Self.lookup, Self.step("after")) { group in
            group.on(.GET, "/sync", .sync { _, context in try .json(try context.require(Trail.self).steps) })
            group.on(
                .GET,
                "/future",
                .future { _, context in
                    context.eventLoop.makeCompletedFuture { try .json(try context.require(Trail.self).steps) }
                }
            )
            group.get("/async") { _, context in try .json(try context.require(Trail.self).steps) }
        }
    }

    @Test(
        "a future hook answers at once or later, before sync, future and async routes",
        arguments: TestServer.Mode.allCases
    )
    func futureHookRunsBeforeEveryKindOfRoute(mode: TestServer.Mode) async throws {
        let server = try TestServer(mode, routes: Self.futureRoutes)
        for path in ["/f/sync", "/f/future", "/f/async"] {
            #expect(try await server.client.get(path, headers: [("X-Cached", "1")]).text == #"["cached","after"]"#)
            #expect(try await server.client.get(path).text == #"["looked up","after"]"#)
            let denied = try await server.client.get(path, headers: [("X-Deny", "1")])
            #expect(denied.status == 403 && denied.errorMessage == "Denied")
            let failed = try await server.client.get(path, headers: [("X-Fail", "1")])
            #expect(failed.status == 404 && failed.errorMessage == "Not there")
        }
    }

    @Test("a future hook keeps sync and future routes off tasks; an async route stays async")
    func futureHookComposition() {
        let sync = Router.Handler.sync { _, _ in Response.json(.ok, Array("{}".utf8)) }
        guard case .future = Hook.compose([Self.lookup, Self.step("a")], sync) else {
            Issue.record("a sync route behind a future hook is not a future route")
            return
        }
        guard case .async = Hook.compose([Self.lookup], .async { _, _ in Response.json(.ok, Array("{}".utf8)) }) else {
            Issue.record("an async route behind a future hook is not async")
            return
        }
        guard case .async = Hook.compose([Self.lookup, .async { _, _ in }], sync) else {
            Issue.record("an async hook beside a future hook is not awaited")
            return
        }
    }
}
