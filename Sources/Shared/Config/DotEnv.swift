/// Parses `.env` files: `KEY=VALUE` lines, optional `export `, `#` comments, single- or
/// double-quoted values (double quotes understand `\n`, `\"` and `\\`).
public enum DotEnv {
    /// A line that is not `KEY=VALUE`.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// 1-based line number.
        public let line: Int
        /// What is wrong.
        public let reason: String
        /// `.env line 3: expected KEY=VALUE`
        public var description: String { ".env line \(self.line): \(self.reason)" }
    }

    /// Parses `text` into variables; later lines win over earlier ones.
    public static func parse(_ text: String) throws(ParseError) -> [String: String] {
        var result: [String: String] = [:]
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = trimmed(line)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = trimmed(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: number, reason: "expected KEY=VALUE")
            }
            let key = String(trimmed(line[..<equals]))
            guard isValidKey(key) else {
                throw ParseError(line: number, reason: "invalid variable name '\(key)'")
            }
            result[key] = try value(trimmed(line[line.index(after: equals)...]), line: number)
        }
        return result
    }

    private static func value(_ raw: Substring, line: Int) throws(ParseError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: an inline comment starts at " #".
            if let hash = raw.firstOccurrence(of: " #") { return String(trimmed(raw[..<hash.lowerBound])) }
            return String(raw)
        }
        var out = ""
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let char = raw[index]
            if char == quote {
                let rest = trimmed(raw[raw.index(after: index)...])
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw ParseError(line: line, reason: "unexpected text after the closing quote")
                }
                return out
            }
            if quote == "\"" && char == "\\" {
                index = raw.index(after: index)
                guard index < raw.endIndex else { break }
                switch raw[index] {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(raw[index])
                }
            } else {
                out.append(char)
            }
            index = raw.index(after: index)
        }
        throw ParseError(line: line, reason: "missing closing \(quote)")
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return key.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
