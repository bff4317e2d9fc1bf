import NIOHTTP1

/// The segment trie of templates with parameters (fully static templates never get here, see
/// `Router`). Nodes live in one array; each has static children by segment and at most one
/// parameter child.
struct RouteTrie: Sendable {
    private struct Node: Sendable {
        var statics: [Substring: Int] = [:]
        var parameter: (name: String, child: Int)?
        var methods: RouteMethods?
    }

    private var nodes = [Node()]

    mutating func insert(_ template: RouteTemplate, method: HTTPMethod, route: Router.Route) {
        var node = 0
        for segment in template.segments {
            switch segment {
            case .literal(let text):
                if let child = self.nodes[node].statics[text] {
                    node = child
                } else {
                    self.nodes.append(Node())
                    self.nodes[node].statics[text] = self.nodes.count - 1
                    node = self.nodes.count - 1
                }
            case .parameter(let name):
                if let parameter = self.nodes[node].parameter {
                    // One name per position, or `{id}` here and `{slug}` there would read the
                    // same value under two names.
                    precondition(
                        parameter.name == name,
                        "\(template.text): {\(name)} where another route has {\(parameter.name)}"
                    )
                    node = parameter.child
                } else {
                    self.nodes.append(Node())
                    self.nodes[node].parameter = (name, self.nodes.count - 1)
                    node = self.nodes.count - 1
                }
            }
        }
        self.nodes[node].methods = self.nodes[node].methods ?? RouteMethods()
        self.nodes[node].methods?.add(method, route)
    }

    /// The methods of the route matching `path` (which starts with `/`); `values` gets the raw
    /// parameter values in order.
    func match(_ path: Substring, values: inout [Substring]) -> RouteMethods? {
        guard self.nodes.count > 1, path.utf8.first == UInt8(ascii: "/") else { return nil }
        let segments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard let node = self.walk(0, segments[...], &values) else { return nil }
        return self.nodes[node].methods
    }

    private func walk(_ node: Int, _ segments: ArraySlice<Substring>, _ values: inout [Substring]) -> Int? {
        guard let segment = segments.first else { return self.nodes[node].methods == nil ? nil : node }
        let rest = segments.dropFirst()
        if let child = self.nodes[node].statics[segment], let found = self.walk(child, rest, &values) {
            return found
        }
        if let parameter = self.nodes[node].parameter, !segment.isEmpty {
            values.append(segment)
            if let found = self.walk(parameter.child, rest, &values) { return found }
            values.removeLast()
        }
        return nil
    }
}
