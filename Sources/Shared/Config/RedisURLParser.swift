/// Parses `redis://[[user]:password@]host[:port][/db]` into a `RedisEndpoint`.
public enum RedisURLParser {
    /// Parses `url`, or throws a `ConfigError` for `REDIS_URL` saying what is wrong.
    public static func parse(_ url: String) throws(ConfigError) -> RedisEndpoint {
        func fail(_ problem: String) -> ConfigError {
            ConfigError(variable: "REDIS_URL", problem: "'\(Secrets.mask(url))' \(problem)")
        }
        guard url.hasPrefix("redis://") else { throw fail("is not a redis:// URL") }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                let secret = String(userInfo[userInfo.index(after: colon)...])
                password = secret.isEmpty ? nil : percentDecoded(secret)
            }
            rest = rest[rest.index(after: at)...]
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), (0...15).contains(number) else {
                    throw fail("has a database index that is not a number from 0 to 15")
                }
                database = number
            }
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 6379
        if rest.hasPrefix("[") {  // [::1]:6379
            guard let close = rest.firstIndex(of: "]") else { throw fail("has an unclosed '['") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = try parsePort(after.dropFirst(), fail) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = try parsePort(rest[rest.index(after: colon)...], fail)
        }
        guard !host.isEmpty else { throw fail("has no host") }
        return RedisEndpoint(host: host, port: port, password: password, database: database)
    }

    private static func parsePort(_ text: Substring, _ fail: (String) -> ConfigError) throws(ConfigError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw fail("has a port that is not a number from 1 to 65535")
        }
        return port
    }

    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
