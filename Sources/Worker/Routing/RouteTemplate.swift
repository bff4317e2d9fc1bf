/// A route template parsed at registration: `/v1/charts/{chartId}` → segments, of which
/// `{chartId}` is a parameter. A malformed template is a programming error and stops the worker
/// at start (tests register every route, so it never ships).
struct RouteTemplate {
    enum Segment: Equatable {
        case literal(Substring)
        case parameter(String)
    }

    /// The template as written.
    let text: String
    /// The segments after the leading `/` (`""` for `/`).
    let segments: [Segment]

    init(_ text: String) {
        precondition(text.utf8.first == UInt8(ascii: "/"), "route template \(text) must start with /")
        self.text = text
        self.segments = text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { bytes in
                let segment = Substring(text[bytes.startIndex..<bytes.endIndex])
                guard segment.utf8.first == UInt8(ascii: "{") else {
                    precondition(!segment.contains("{") && !segment.contains("}"), "bad segment in \(text)")
                    return .literal(segment)
                }
                precondition(segment.utf8.last == UInt8(ascii: "}") && segment.count > 2, "bad parameter in \(text)")
                return .parameter(String(segment.dropFirst().dropLast()))
            }
        let names = self.parameterNames
        precondition(Set(names).count == names.count, "parameter named twice in \(text)")
    }

    /// The parameter names in order.
    var parameterNames: [String] {
        self.segments.compactMap { segment in
            if case .parameter(let name) = segment { return name }
            return nil
        }
    }
}
