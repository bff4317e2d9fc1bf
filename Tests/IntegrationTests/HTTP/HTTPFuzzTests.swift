import Foundation
import Testing

/// Thousands of seeded mutations of valid requests against the real binary: the worker never
/// dies, every byte it sends back is a well-formed HTTP response, and its memory stays bounded.
@Suite("HTTP fuzz", .timeLimit(.minutes(2)))
struct HTTPFuzzTests {
    static let seeds = [
        "GET /health/live HTTP/1.1\r\nHost: a\r\nX-Request-Id: fuzz-1\r\n\r\n",
        "GET /health/live?x=1&y=%20 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "HEAD /health/live HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n{\"a\"}",
        "POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    /// Valid statuses the server may produce.
    static let statuses: Set<Int> = [100, 200, 400, 404, 405, 408, 413, 414, 417, 431, 501, 505]

    @Test func mutatedRequestsNeverBreakTheServer() throws {
        let server = try ServerProcess(
            workers: 1,
            environment: ["HEADER_TIMEOUT_MS": "300", "KEEPALIVE_TIMEOUT_MS": "300", "BODY_TIMEOUT_MS": "300"]
        )
        try server.waitUntilServing()
        let worker = try #require(try server.waitForWorkers(1).first)
        let rssBefore = procStatus(worker, "VmRSS:")
        var random = SeededRandom(seed: 0x5EED_F00D)
        let deadline = Date().addingTimeInterval(20)
        var sent = 0
        var answered = 0
        while sent < 4000 && Date() < deadline {
            var request = Array(Self.seeds[Int(random.next() % UInt64(Self.seeds.count))].utf8)
            for _ in 0...(random.next() % 4) { Self.mutate(&request, &random) }
            let socket = try RawSocket.connect(port: server.port, timeout: 1)
            _ = try? socket.send(request)
            shutdown(socket.fd, Int32(SHUT_WR))  // EOF: the server need not wait for more
            var data: [UInt8] = []
            while let chunk = try? socket.receive(), !chunk.isEmpty { data += chunk }
            socket.close()
            sent += 1
            let result = Self.parse(data)
            answered += result.responses.count
            #expect(
                result.leftover.isEmpty,
                "seed mutation \(sent): \(String(decoding: data, as: UTF8.self).debugDescription)"
            )
            for response in result.responses {
                #expect(Self.statuses.contains(response.status), "status \(response.status)")
                #expect(response.header("X-Request-Id") != nil || response.status == 100)
            }
        }
        #expect(sent >= 1000, "only \(sent) requests in 20 s")
        #expect(answered > sent / 2)
        #expect(server.workerPIDs() == [worker], "the worker died")
        #expect(try HTTPClient.get(port: server.port, "/health/live").status == 200)
        let rssAfter = procStatus(worker, "VmRSS:")
        #expect(rssAfter < rssBefore + 64 * 1024, "RSS grew from \(rssBefore) kB to \(rssAfter) kB")
    }

    /// Responses in `data`. One to a HEAD has no body, one to a request the server could not
    /// parse has; each is read the way after which the next response (or the end) follows.
    static func parse(_ data: [UInt8]) -> RawExchange {
        var responses: [HTTPResponse] = []
        var rest = data
        while !rest.isEmpty {
            let candidates = [HTTPResponse.parse(rest, headRequest: true), HTTPResponse.parse(rest)].compactMap { $0 }
            guard let next = candidates.first(where: { $0.rest.isEmpty || $0.rest.starts(with: Array("HTTP/1.".utf8)) })
            else { break }
            responses.append(next)
            rest = next.rest
        }
        return RawExchange(responses: responses, leftover: rest, closedByServer: true)
    }

    /// One random edit: flip, insert (CR, LF, NUL, space, colon, digits, high bytes), delete,
    /// duplicate a slice, or truncate.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        let position = Int(random.next() % UInt64(bytes.count))
        let specials: [UInt8] = [13, 10, 0, 32, 58, 48, 57, 0x7F, 0xFF, 0x25, 0x2E, 0x2F, 9]
        switch random.next() % 6 {
        case 0: bytes[position] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        case 1: bytes.insert(specials[Int(random.next() % UInt64(specials.count))], at: position)
        case 2: bytes.remove(at: position)
        case 3:
            let end = min(bytes.count, position + Int(random.next() % 64))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        case 4: bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
        default:
            let count = Int(random.next() % 3000)
            bytes.insert(contentsOf: repeatElement(specials[Int(random.next() % 13)], count: count), at: position)
        }
    }
}

/// SplitMix64: the same sequence for the same seed, so a failure replays.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
