import Logging
import NIOEmbedded
import NIOHTTP1
import Shared
import Synchronization
import Testing

@testable import Worker

/// The access log's fast path writes exactly what the swift-log path (`JSONLogHandler`) writes
/// for the same record, apart from the instant in `time`.
@Suite("Access log fast path")
struct AccessLogTests {
    private static let identity = ProcessLogIdentity(pid: 4242, worker: 3, generation: 1)

    /// The line the production swift-log path (`AccessLog.log`) produces.
    private static func reference(
        requestID: String,
        method: HTTPMethod,
        uri: String,
        status: UInt,
        elapsed: UInt64
    ) -> String {
        let record = AccessLog.swiftLogRecord(
            requestID: requestID,
            method: method,
            uri: uri,
            status: status,
            elapsedNanoseconds: elapsed
        )
        let bytes = JSONLogHandler.format(
            level: .info,
            message: record.message,
            metadata: record.metadata,
            process: Self.identity
        )
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func withoutTime(_ line: String) -> String {
        guard let start = line.range(of: #""time":""#) else { return line }
        let end = line.index(start.upperBound, offsetBy: 24)
        return String(line[..<start.upperBound]) + String(line[end...])
    }

    @Test(
        "same bytes as JSONLogHandler",
        arguments: [
            ("3f9a0c12be77-1a", HTTPMethod.GET, "/health/live", UInt(200), UInt64(12_345)),
            ("client.id:1/2+3=", .POST, "/v1/items?x=1&y=2", 201, 1_500_000),
            ("a", .HEAD, "/", 404, 0),
            ("b", .GET, "/quote\"back\\slash", 400, 999_999),
            ("c", .GET, "http://user:secret@host/x?y", 200, 3_000_000),
            ("d", .GET, "/ctl\u{01}\u{7F}tab\t", 400, 1_000),
            ("e", .GET, "/" + String(repeating: "é", count: 150), 414, 10_000_000_000),
            ("f", .RAW(value: "PURGE"), "/x@y", 405, 7),
            ("g", .GET, "-", 408, 100_000_001),
        ]
    )
    func matchesTheSwiftLogPath(requestID: String, method: HTTPMethod, uri: String, status: UInt, elapsed: UInt64) {
        let log = AccessLog(process: Self.identity, sink: LogSink { _ in })
        var bytes: [UInt8] = []
        log.format(
            AccessLog.Entry(
                requestID: requestID,
                method: method,
                uri: uri,
                status: status,
                elapsedNanoseconds: elapsed
            ),
            to: &bytes
        )
        let fast = String(decoding: bytes, as: UTF8.self)
        let reference = Self.reference(requestID: requestID, method: method, uri: uri, status: status, elapsed: elapsed)
        #expect(Self.withoutTime(fast) == Self.withoutTime(reference))
        #expect(fast.hasSuffix("}\n"))
        #expect(!fast.contains("secret"))
    }

    @Test(
        "the one-buffer line is the escaping path's line, and only plain texts take it",
        arguments: [
            ("3f9a0c12be77-1a", HTTPMethod.GET, "/health/live", UInt(200), UInt64(12_345), true),
            ("client.id:1/2+3=", .POST, "/v1/items?x=1&y=2\"@", 201, 1_500_000, true),  // the query is not logged
            ("a", .HEAD, "/", 404, 0, true),
            ("e", .GET, "/" + String(repeating: "é", count: 99), 414, 10_000_000_000, true),
            ("g", .GET, "-", 408, 100_000_001, true),
            ("b", .GET, "/quote\"back", 400, 999_999, false),
            ("b", .GET, "/back\\slash", 400, 999_999, false),
            ("c", .GET, "http://user:secret@host/x?y", 200, 3_000_000, false),
            ("d", .GET, "/ctl\u{01}", 400, 1_000, false),
            ("d", .GET, "/del\u{7F}", 400, 1_000, false),
            ("e", .GET, "/" + String(repeating: "e", count: 200), 414, 1, false),  // over loggable's 200 bytes
            ("f", .RAW(value: "PURGE"), "/x", 405, 7, true),
            ("h", .RAW(value: String(repeating: "M", count: 33)), "/x", 405, 7, false),
            (String(repeating: "r", count: 129), .GET, "/x", 200, 7, false),
        ]
    )
    func plainLineMatchesTheEscapingPath(
        requestID: String,
        method: HTTPMethod,
        uri: String,
        status: UInt,
        elapsed: UInt64,
        plain: Bool
    ) {
        let log = AccessLog(process: Self.identity, sink: LogSink { _ in })
        let context = TraceContext(
            traceHigh: 0x0123_4567_89AB_CDEF,
            traceLow: 0xFEDC_BA98_7654_3210,
            spanID: 0x1122_3344_5566_7788
        )
        for trace in [nil, TraceDigits(context)] {
            let entry = AccessLog.Entry(
                requestID: requestID,
                method: method,
                uri: uri,
                status: status,
                elapsedNanoseconds: elapsed,
                trace: trace
            )
            var fast: [UInt8] = Array("earlier line\n".utf8)
            let taken = log.appendPlainLine(entry, to: &fast)
            #expect(taken == plain)
            guard taken else {
                #expect(fast == Array("earlier line\n".utf8))  // nothing appended
                continue
            }
            var escaping: [UInt8] = Array("earlier line\n".utf8)
            log.formatEscaping(entry, to: &escaping)
            let fastLine = String(decoding: fast, as: UTF8.self)
            #expect(Self.withoutTime(fastLine) == Self.withoutTime(String(decoding: escaping, as: UTF8.self)))
            #expect(fastLine.hasPrefix("earlier line\n{") && fastLine.hasSuffix("}\n"))
        }
    }

    /// Every byte the fast line refuses, at every position of a path (in a whole word and in
    /// the padded tail of the word-at-a-time scan), and the bytes around them it takes.
    @Test func plainTextScanFindsEveryRefusedByteAtEveryPosition() {
        let log = AccessLog(process: Self.identity, sink: LogSink { _ in })
        let refused: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x22, 0x40, 0x5C, 0x7F]
        let taken: [UInt8] = [0x20, 0x21, 0x23, 0x3F, 0x41, 0x5B, 0x5D, 0x7E]
        for length in [1, 7, 8, 9, 16, 19] {
            for position in 0..<length {
                for byte in refused + taken {
                    var path = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    path[position] = byte
                    let entry = AccessLog.Entry(
                        requestID: "r",
                        method: .GET,
                        uri: "/" + String(decoding: path, as: UTF8.self),
                        status: 200,
                        elapsedNanoseconds: 1,
                        trace: nil
                    )
                    var line: [UInt8] = []
                    #expect(
                        log.appendPlainLine(entry, to: &line) == taken.contains(byte),
                        "byte \(byte) at \(position) of \(length)"
                    )
                }
            }
        }
    }

    @Test func timestampIsRFC3339WithMilliseconds() throws {
        let log = AccessLog(process: Self.identity, sink: LogSink { _ in })
        var bytes: [UInt8] = []
        log.format(
            AccessLog.Entry(requestID: "x", method: .GET, uri: "/", status: 200, elapsedNanoseconds: 0),
            to: &bytes
        )
        let line = String(decoding: bytes, as: UTF8.self)
        let start = try #require(line.range(of: #""time":""#))
        let time = String(line[start.upperBound...].prefix(24))
        #expect(time.count == 24 && time.hasSuffix("Z"))
    }

    @Test func cachedTimestampMatchesAFreshOne() {
        var cache = Timestamp.Cache()
        for (seconds, milliseconds) in [
            (1_700_000_000, 5), (1_700_000_000, 999), (1_700_000_001, 0), (1_700_000_001, 120),
        ] {
            var cached: [UInt8] = []
            cache.append(seconds: seconds, milliseconds: milliseconds, to: &cached)
            var fresh: [UInt8] = []
            Timestamp.append(seconds: seconds, milliseconds: milliseconds, to: &fresh)
            #expect(cached == fresh)
        }
    }

    @Test func onlyAPlainJSONHandlerGetsTheFastPath() {
        let json = Logger(label: "t") { _ in
            JSONLogHandler(level: .info, process: Self.identity, sink: LogSink { _ in })
        }
        #expect(AccessLog.make(logger: json, eventLoop: EmbeddedEventLoop()) != nil)
        var withMetadata = json
        withMetadata[metadataKey: "extra"] = "1"
        #expect(AccessLog.make(logger: withMetadata, eventLoop: EmbeddedEventLoop()) == nil)
        let other = Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        #expect(AccessLog.make(logger: other, eventLoop: EmbeddedEventLoop()) == nil)
    }

    @Test func recordWritesOneCompleteLine() {
        let lines = Mutex<[[UInt8]]>([])
        let log = AccessLog(process: Self.identity, sink: LogSink { bytes in lines.withLock { $0.append(bytes) } })
        log.record(AccessLog.Entry(requestID: "r1", method: .GET, uri: "/a", status: 200, elapsedNanoseconds: 1000))
        log.flush()
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        #expect(written.first?.last == UInt8(ascii: "\n"))
    }
}

/// Batching: one write per loop tick, whole lines only, bounded.
@Suite("Access log batching")
struct AccessLogBatchingTests {
    private static let identity = ProcessLogIdentity(pid: 1, worker: 0, generation: 1)

    @Test func linesOfOneTickLeaveInOneWrite() {
        let writes = Mutex<[[UInt8]]>([])
        let loop = EmbeddedEventLoop()
        let log = AccessLog(
            process: Self.identity,
            sink: LogSink { bytes in writes.withLock { $0.append(bytes) } },
            eventLoop: loop,
            batchLimit: AccessLog.fileBatchLimit
        )
        for index in 0..<10 {
            log.record(
                AccessLog.Entry(requestID: "r\(index)", method: .GET, uri: "/a", status: 200, elapsedNanoseconds: 1000)
            )
        }
        #expect(writes.withLock { $0.isEmpty })
        loop.run()
        let written = writes.withLock { $0 }
        #expect(written.count == 1)
        let lines = String(decoding: written[0], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
        log.record(AccessLog.Entry(requestID: "late", method: .GET, uri: "/a", status: 200, elapsedNanoseconds: 1000))
        loop.run()
        #expect(writes.withLock { $0.count } == 2)
    }

    @Test func writesStayUnderTheLimitAndHoldWholeLines() {
        let writes = Mutex<[[UInt8]]>([])
        let loop = EmbeddedEventLoop()
        let limit = 700
        let log = AccessLog(
            process: Self.identity,
            sink: LogSink { bytes in writes.withLock { $0.append(bytes) } },
            eventLoop: loop,
            batchLimit: limit
        )
        for index in 0..<50 {
            log.record(
                AccessLog.Entry(
                    requestID: "r\(index)",
                    method: .GET,
                    uri: "/a/\(index)",
                    status: 200,
                    elapsedNanoseconds: 1000
                )
            )
        }
        log.record(
            AccessLog.Entry(
                requestID: "big",
                method: .GET,
                uri: "/" + String(repeating: "x", count: 190),
                status: 200,
                elapsedNanoseconds: 0
            )
        )
        loop.run()
        let written = writes.withLock { $0 }
        #expect(written.count > 1)
        var all: [String] = []
        for batch in written {
            #expect(batch.count <= limit)
            #expect(batch.last == UInt8(ascii: "\n"))
            all += String(decoding: batch, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(all.count == 51)
        #expect(all.enumerated().dropLast().allSatisfy { $0.element.contains(#""request_id":"r\#($0.offset)""#) })
    }
}
