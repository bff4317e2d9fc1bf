import NIOHTTP1
import Shared

@testable import Worker

/// A route as method and template: `GET /v1/charts/{chartId}`.
struct RouteKey: Hashable, Comparable, CustomStringConvertible {
    /// Upper case: `GET`.
    let method: String
    /// As registered, which is also OpenAPI's path template syntax: `/v1/charts/{chartId}`.
    let template: String

    var description: String { "\(self.method) \(self.template)" }

    static func < (lhs: RouteKey, rhs: RouteKey) -> Bool {
        (lhs.template, lhs.method) < (rhs.template, rhs.method)
    }
}

/// The route ↔ document check: every route the router serves is in the OpenAPI document, and the
/// document names no route the router does not serve. Pure: routes and the parsed document in,
/// differences out.
enum OpenAPIRouteCheck {
    /// What differs; both empty when the document and the router agree.
    struct Differences: Equatable, CustomStringConvertible {
        /// Registered routes the document does not describe.
        var undocumented: [RouteKey] = []
        /// Operations of the document that no route serves.
        var unregistered: [RouteKey] = []

        var isEmpty: Bool { self.undocumented.isEmpty && self.unregistered.isEmpty }

        var description: String {
            var lines: [String] = []
            lines += self.undocumented.map { "registered but not in docs/openapi.yaml: \($0)" }
            lines += self.unregistered.map { "in docs/openapi.yaml but not registered: \($0)" }
            return lines.joined(separator: "\n")
        }
    }

    /// A document this check cannot read.
    struct MalformedDocument: Error, CustomStringConvertible {
        let description: String
    }

    /// The operation keys of an OpenAPI path item (everything else there, such as `parameters`
    /// or `summary`, is not a route).
    static let operationMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// The routes `paths` of an OpenAPI document names, sorted.
    static func documentedRoutes(_ document: JSONValue) throws -> [RouteKey] {
        guard case .object(let members) = document else { throw MalformedDocument(description: "not an object") }
        guard let paths = members.first(where: { $0.key == "paths" })?.value, case .object(let items) = paths else {
            throw MalformedDocument(description: "no `paths` object")
        }
        var routes: [RouteKey] = []
        for item in items {
            guard item.key.hasPrefix("/"), case .object(let fields) = item.value else {
                throw MalformedDocument(description: "path \(item.key): not a path item object")
            }
            // A path item `$ref` would hide its operations from this check.
            if fields.contains(where: { $0.key == "$ref" }) {
                throw MalformedDocument(description: "path \(item.key): `$ref` path items are not supported")
            }
            for field in fields where self.operationMethods.contains(field.key) {
                routes.append(RouteKey(method: field.key.uppercased(), template: item.key))
            }
        }
        return routes.sorted()
    }

    /// The differences between `registered` and `documented`. `HEAD` is served wherever `GET` is,
    /// so a documented `HEAD` beside a registered `GET` is not a difference (and an implicit one
    /// need not be documented).
    static func compare(registered: [RouteKey], documented: [RouteKey]) -> Differences {
        let registeredSet = Set(registered)
        let documentedSet = Set(documented)
        let served = registeredSet.union(
            registered.filter { $0.method == "GET" }.map { RouteKey(method: "HEAD", template: $0.template) }
        )
        return Differences(
            undocumented: registeredSet.subtracting(documentedSet).sorted(),
            unregistered: documentedSet.subtracting(served).sorted()
        )
    }

    /// Compares `router` with the document `json` (the text of `/openapi.json`), parsed with the
    /// service's own JSON parser.
    static func compare(_ router: Router, documentJSON json: String) throws -> Differences {
        let document = try JSONParser.parse(Array(json.utf8))
        return self.compare(registered: self.registeredRoutes(router), documented: try self.documentedRoutes(document))
    }

    /// Every method and template `router` serves, sorted, without the implicit `HEAD` of a `GET`.
    ///
    /// Read through the router's public lookup, so serving needs nothing extra: each template
    /// resolved as a path matches its own route (a `{name}` segment is a value for its
    /// parameter and never a static segment), and a method no route has makes the lookup answer
    /// with the path's `Allow` list.
    static func registeredRoutes(_ router: Router) -> [RouteKey] {
        let probe = HTTPMethod.RAW(value: "OPENAPI-ROUTE-CHECK")
        var routes: [RouteKey] = []
        for template in router.templates {
            guard case .methodNotAllowed(let allowed) = router.resolve(probe, Substring(template)) else {
                preconditionFailure("\(template) does not resolve to itself")
            }
            for method in allowed where method != "HEAD" || !allowed.contains("GET") {
                routes.append(RouteKey(method: method, template: template))
            }
        }
        return routes.sorted()
    }
}
