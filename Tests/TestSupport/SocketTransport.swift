import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A live transport: one HTTP/1.1 request per connection to `127.0.0.1:port`, written as
/// bytes and read back until the server closes (`Connection: close`), so every request goes
/// through the server's real parser and framing. The blocking socket calls run on a thread of
/// their own: on the cooperative pool they could starve the in-process server's handler tasks.
public struct SocketTransport: TestTransport {
    /// The server's port.
    public let port: Int
    /// Read and write timeout, seconds.
    public let timeoutSeconds: Int

    /// A transport to `127.0.0.1:port`.
    public init(port: Int, timeoutSeconds: Int = 10) {
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    /// What went wrong on the socket.
    public struct Failure: Error, CustomStringConvertible {
        /// The failing step and `strerror`.
        public let description: String
    }

    public func send(_ request: TestRequest) async throws -> TestResponse {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.exchange(request) })
            }
        }
    }

    private func exchange(_ request: TestRequest) throws -> TestResponse {
        let fd = try self.connect()
        defer { close(fd) }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\nHost: 127.0.0.1:\(self.port)\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        try Self.write(fd, Array(head.utf8) + request.body)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            received += chunk[..<count]
        }
        return try Self.parse(received, noBody: request.method == "HEAD")
    }

    private func connect() throws -> Int32 {
        try Self.connectLoopback(port: self.port, timeout: Double(self.timeoutSeconds))
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port`, whose reads and writes time out
    /// after `timeout` seconds (also used by the integration tests' raw socket).
    public static func connectLoopback(port: Int, timeout: Double) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let text = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(text)")
        }
        return fd
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// One response with a `Content-Length` body (the server never chunks).
    static func parse(_ bytes: [UInt8], noBody: Bool) throws -> TestResponse {
        guard let end = Self.headEnd(bytes) else {
            throw Failure(description: "incomplete response: \(String(decoding: bytes, as: UTF8.self))")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line: \(lines.first ?? "")")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((String(line[..<colon]), String(value)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyStart = end + 4
        let body = noBody ? [] : Array(bytes[bodyStart..<min(bytes.count, bodyStart + length)])
        guard noBody || body.count == length else { throw Failure(description: "short body") }
        return TestResponse(status: status, headers: headers, body: body)
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
