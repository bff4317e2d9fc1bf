import Shared

/// A request head read by `MetricsServer`, and its answer: `GET /metrics` (a query is
/// ignored) is the exposition, `HEAD` the same without body; other paths 404, other methods
/// 405. Every answer closes the connection.
struct MetricsRequest: Equatable {
    var method: String
    var path: String

    /// The head in `bytes`, once it is complete (`\r\n\r\n`, or `\n\n` from a lax client).
    init?(_ bytes: [UInt8]) {
        guard let end = Self.headEnd(bytes) else { return nil }
        let line = bytes[..<end].split(separator: UInt8(ascii: "\n"), maxSplits: 1).first ?? []
        let parts = line.split(separator: UInt8(ascii: " "))
        self.method = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let target = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
        self.path = String(target.prefix { $0 != "?" })
    }

    /// The full HTTP response.
    func response(render: () -> [UInt8]) -> [UInt8] {
        guard self.path == "/metrics" else { return Self.plain("404 Not Found", "not found; try /metrics\n") }
        guard self.method == "GET" || self.method == "HEAD" else {
            return Self.plain("405 Method Not Allowed", "only GET\n", extra: "Allow: GET, HEAD\r\n")
        }
        let body = render()
        var out = Array(
            ("HTTP/1.1 200 OK\r\nContent-Type: \(PrometheusTextWriter.contentType)\r\n"
                + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8
        )
        if self.method == "GET" { out += body }
        return out
    }

    private static func plain(_ status: String, _ body: String, extra: String = "") -> [UInt8] {
        Array(
            ("HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n\(extra)"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)").utf8
        )
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if bytes[index + 1] == UInt8(ascii: "\n") { return index }
                if bytes[index + 1] == UInt8(ascii: "\r"), index + 2 < bytes.count,
                    bytes[index + 2] == UInt8(ascii: "\n")
                {
                    return index
                }
            }
            index += 1
        }
        return nil
    }
}
