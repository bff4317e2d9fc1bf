/// Masks credentials in text that may reach a log line.
public enum Secrets {
    /// Replaces the password of every `scheme://user:password@host` in `text` with `***`.
    /// Text without `://` is returned unchanged without allocating.
    public static func mask(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "@")), Substring(text).firstOccurrence(of: "://") != nil else {
            return text
        }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.firstOccurrence(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the first '/', '?', '#' or whitespace.
            let end =
                rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " || $0 == "\"" || $0 == "\n" }
                ?? rest.endIndex
            let authority = rest[..<end]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon]
                out += "***"
                out += authority[at...]
            } else {
                out += authority
            }
            rest = rest[end...]
        }
        out += rest
        return out
    }
}
