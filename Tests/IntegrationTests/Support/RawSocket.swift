import Foundation
import TestSupport

/// A blocking TCP client socket to 127.0.0.1 with timeouts, for speaking raw HTTP in tests.
struct RawSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32

    /// Connects within `timeout` seconds; reads and writes then time out after `timeout` too.
    static func connect(port: Int, timeout: Double = 5) throws -> RawSocket {
        do {
            return RawSocket(fd: try SocketTransport.connectLoopback(port: port, timeout: timeout))
        } catch {
            throw Failure(description: String(describing: error))
        }
    }

    /// Changes the read and write timeout to `seconds`.
    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(self.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Writes `text` as UTF-8.
    func send(_ text: String) throws { try self.send(Array(text.utf8)) }

    /// Reads what is available (blocking up to the timeout); empty at EOF.
    func receive(max: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        let count = recv(self.fd, &buffer, max, 0)
        guard count >= 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
        return Array(buffer[0..<count])
    }

    /// Reads one complete HTTP response (headers + `Content-Length` body).
    func readResponse(headRequest: Bool = false) throws -> HTTPResponse {
        var data: [UInt8] = []
        while true {
            if let response = HTTPResponse.parse(data, headRequest: headRequest) { return response }
            let chunk = try self.receive()
            guard !chunk.isEmpty else {
                throw Failure(description: "connection closed after \(data.count) bytes of a response")
            }
            data += chunk
        }
    }

    func close() { Glibc.close(self.fd) }
}

/// A parsed HTTP/1.x response.
struct HTTPResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// Bytes after this response (a pipelined next response).
    let rest: [UInt8]

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(self.body))
        guard let dictionary = object as? [String: Any] else {
            throw RawSocket.Failure(description: "body is not a JSON object: \(self.text)")
        }
        return dictionary
    }

    /// Parses a complete response from the front of `data`, or `nil` if more bytes are needed.
    static func parse(_ data: [UInt8], headRequest: Bool = false) -> HTTPResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = data.firstRange(of: separator) else { return nil }
        let headText = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length =
            headRequest
            ? 0 : Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        let bodyStart = end.upperBound
        guard data.count >= bodyStart + length else { return nil }
        return HTTPResponse(
            status: status,
            headers: headers,
            body: Array(data[bodyStart..<(bodyStart + length)]),
            rest: Array(data[(bodyStart + length)...])
        )
    }
}

/// One-shot requests.
enum HTTPClient {
    /// `GET path` on a fresh connection.
    static func get(
        port: Int,
        _ path: String,
        headers: [String: String] = [:],
        timeout: Double = 5
    ) throws -> HTTPResponse {
        try self.request(port: port, method: "GET", path, headers: headers, timeout: timeout)
    }

    /// Any request on a fresh connection (closed afterwards).
    static func request(
        port: Int,
        method: String,
        _ path: String,
        headers: [String: String] = [:],
        body: String? = nil,
        timeout: Double = 5
    ) throws -> HTTPResponse {
        let socket = try RawSocket.connect(port: port, timeout: timeout)
        defer { socket.close() }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        try socket.send(text)
        return try socket.readResponse(headRequest: method == "HEAD")
    }
}
