import Foundation

/// What a server answered on one raw connection: the complete responses in order, bytes that
/// do not form a response, and whether the server closed the connection.
struct RawExchange {
    let responses: [HTTPResponse]
    let leftover: [UInt8]
    let closedByServer: Bool

    /// Sends `bytes` on a fresh connection (in `pieces` with `pause` seconds between them),
    /// then reads until the server closes or `wait` seconds pass without a byte.
    static func run(
        port: Int,
        _ bytes: [UInt8],
        pieces: Int = 1,
        pause: Double = 0,
        wait: Double = 2,
        headRequest: Bool = false
    ) throws -> RawExchange {
        let socket = try RawSocket.connect(port: port, timeout: wait)
        defer { socket.close() }
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            // A server that already answered and closed may reset the rest: that is its right.
            guard (try? socket.send(Array(bytes[offset..<end]))) != nil else { break }
            offset = end
            if pause > 0 && offset < bytes.count { Thread.sleep(forTimeInterval: pause) }
        }
        var data: [UInt8] = []
        var closed = false
        while true {
            guard let chunk = try? socket.receive() else { break }  // timeout: still open
            if chunk.isEmpty {
                closed = true
                break
            }
            data += chunk
        }
        return Self.parse(data, closed: closed, headRequest: headRequest)
    }

    /// Sends `text` (UTF-8).
    static func run(port: Int, _ text: String, wait: Double = 2) throws -> RawExchange {
        try self.run(port: port, Array(text.utf8), wait: wait)
    }

    /// Splits `data` into complete responses.
    static func parse(_ data: [UInt8], closed: Bool, headRequest: Bool = false) -> RawExchange {
        var responses: [HTTPResponse] = []
        var rest = data
        while let response = HTTPResponse.parse(rest, headRequest: headRequest) {
            responses.append(response)
            rest = response.rest
        }
        return RawExchange(responses: responses, leftover: rest, closedByServer: closed)
    }
}

extension HTTPResponse {
    /// `error.code` of the envelope, if the body is one.
    var errorCode: String? {
        guard let json = try? self.json(), json["success"] as? Bool == false else { return nil }
        return (json["error"] as? [String: Any])?["code"] as? String
    }
}
