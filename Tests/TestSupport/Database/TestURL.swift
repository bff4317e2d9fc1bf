/// A `postgres://user:password@host:port/database?options` URL taken apart, so the tests can
/// point the admin URL at another database or log in as another role.
public struct TestURL: Sendable, CustomStringConvertible {
    /// `postgres` or `postgresql`.
    public var scheme: String
    /// The role, if any.
    public var user: String?
    /// The password, if any.
    public var password: String?
    /// `host:port`, possibly empty (a Unix socket given in the options).
    public var hostAndPort: String
    /// The database, if any.
    public var database: String?
    /// Everything from `?` on, or empty.
    public var options: String

    /// The text is not a `postgres://` URL.
    public struct Invalid: Error, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// Parses `text`; percent-escapes in the user, password and database are decoded.
    public init(_ text: String) throws {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw Invalid(description: "TEST_DATABASE_ADMIN_URL must be a postgres:// URL")
        }
        self.scheme = String(text[..<schemeEnd.lowerBound])
        var rest = text[schemeEnd.upperBound...]
        if let question = rest.firstIndex(of: "?") {
            self.options = String(rest[question...])
            rest = rest[..<question]
        } else {
            self.options = ""
        }
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            self.database = name.isEmpty ? nil : Self.decode(name)
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                self.user = Self.decode(userInfo[..<colon])
                self.password = Self.decode(userInfo[userInfo.index(after: colon)...])
            } else {
                self.user = Self.decode(userInfo)
            }
            rest = rest[rest.index(after: at)...]
        }
        self.hostAndPort = String(rest)
    }

    /// The same server as another role and/or database.
    public func with(user: String? = nil, password: String?? = nil, database: String? = nil) -> TestURL {
        var copy = self
        if let user { copy.user = user }
        if let password { copy.password = password }
        if let database { copy.database = database }
        return copy
    }

    /// The URL again, user, password and database percent-encoded.
    public var description: String {
        var text = self.scheme + "://"
        if let user {
            text += Self.encode(user)
            if let password { text += ":" + Self.encode(password) }
            text += "@"
        }
        text += self.hostAndPort + "/" + Self.encode(self.database ?? "") + self.options
        return text
    }

    private static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let char = Character(Unicode.Scalar(byte))
            if byte < 128 && (char.isLetter || char.isNumber || "-._~".contains(char)) {
                out.append(char)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (byte < 16 ? "0" + hex : hex)
            }
        }
        return out
    }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "%", let end = text.index(index, offsetBy: 3, limitedBy: text.endIndex),
                let byte = UInt8(text[text.index(after: index)..<end], radix: 16)
            {
                bytes.append(byte)
                index = end
            } else {
                bytes.append(contentsOf: String(text[index]).utf8)
                index = text.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
