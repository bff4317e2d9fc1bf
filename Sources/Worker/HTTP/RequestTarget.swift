/// The request-target of RFC 9112 §3.2: which forms the server accepts and where the path is.
///
/// Accepted: origin-form (`/path?query`) and absolute-form (`http://host/path?query`, which a
/// server must accept). Refused: authority-form and asterisk-form (no `CONNECT` or
/// server-wide `OPTIONS` here), an absolute-form without a host or with userinfo
/// (`http:///x`, `http://u@h/x`), and any path with a dot segment (`.` or `..`, also
/// percent-encoded), which a client normalises away and only a traversal attempt sends.
enum RequestTarget {
    /// Whether the server routes `uri`. Costs one scan of the path for a request without dots or
    /// percent signs.
    static func isAcceptable(_ uri: String) -> Bool {
        guard let path = self.path(of: uri) else { return false }
        let utf8 = path.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "%") }) else { return true }
        return !self.hasDotSegment(path)
    }

    /// The path of `uri` (without the query), or `nil` for a form the server does not accept.
    static func path(of uri: String) -> Substring? {
        let target = Substring(uri)
        let withoutQuery = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target
        if withoutQuery.utf8.first == UInt8(ascii: "/") { return withoutQuery }
        // absolute-form: http[s]://authority[/path]
        let utf8 = withoutQuery.utf8
        let schemeLength: Int
        if utf8.starts(with: "http://".utf8, by: Self.equalIgnoringCase) {
            schemeLength = 7
        } else if utf8.starts(with: "https://".utf8, by: Self.equalIgnoringCase) {
            schemeLength = 8
        } else {
            return nil
        }
        // The authority needs a host and must not carry userinfo (RFC 9110 §4.2.4).
        let afterScheme = withoutQuery.dropFirst(schemeLength)
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<slash]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        return slash == afterScheme.endIndex ? "/" : afterScheme[slash...]
    }

    private static func equalIgnoringCase(_ byte: UInt8, _ lowercase: UInt8) -> Bool {
        byte == lowercase || byte | 0x20 == lowercase
    }

    /// Whether a segment of `path` is `.` or `..`, literally or percent-encoded (`%2e`).
    static func hasDotSegment(_ path: Substring) -> Bool {
        for segment in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            var dots = 0
            var index = segment.startIndex
            while index < segment.endIndex {
                if segment[index] == UInt8(ascii: ".") {
                    index = segment.index(after: index)
                } else if segment[index...].starts(with: "%2e".utf8) || segment[index...].starts(with: "%2E".utf8) {
                    index = segment.index(index, offsetBy: 3)
                } else {
                    break
                }
                dots += 1
            }
            if index == segment.endIndex && (dots == 1 || dots == 2) { return true }
        }
        return false
    }
}
