import Foundation
import Logging
import Testing

@testable import Shared

/// Collects what a handler writes.
private final class CapturedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[UInt8]] = []

    var sink: LogSink { LogSink { bytes in self.lock.withLock { self.storage.append(bytes) } } }
    var writes: [[UInt8]] { self.lock.withLock { self.storage } }
    var text: String { self.writes.map { String(decoding: $0, as: UTF8.self) }.joined() }
}

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    private func logger(
        _ captured: CapturedLines,
        level: Logger.Level = .info,
        worker: Int? = 2
    ) -> Logger {
        let identity = ProcessLogIdentity(pid: 4242, worker: worker, generation: worker == nil ? nil : 1)
        return Logger(label: "test") { _ in JSONLogHandler(level: level, process: identity, sink: captured.sink) }
    }

    private func records(_ captured: CapturedLines) throws -> [[String: Any]] {
        try captured.text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test("every record is one valid JSON object on its own line, written in one piece")
    func oneObjectPerLine() throws {
        let captured = CapturedLines()
        let logger = self.logger(captured)
        logger.info("first")
        logger.warning("second\nwith a newline and \"quotes\" and \u{01} a control byte")
        logger.error("third", metadata: ["nested": ["a": "b"], "list": ["x", "y"]])
        #expect(captured.writes.count == 3)
        for write in captured.writes {
            #expect(write.last == UInt8(ascii: "\n"))
            #expect(write.dropLast().contains(UInt8(ascii: "\n")) == false)
        }
        let records = try self.records(captured)
        #expect(records.count == 3)
        #expect(records[1]["msg"] as? String == "second\nwith a newline and \"quotes\" and \u{01} a control byte")
    }

    @Test("time, level, msg, pid and worker are always present; time is RFC 3339 UTC with milliseconds")
    func standardFields() throws {
        let captured = CapturedLines()
        self.logger(captured).notice("hello")
        let record = try #require(try self.records(captured).first)
        #expect(record["level"] as? String == "notice")
        #expect(record["msg"] as? String == "hello")
        #expect(record["pid"] as? Int == 4242)
        #expect(record["worker"] as? Int == 2)
        let time = try #require(record["time"] as? String)
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#
        #expect(time.wholeMatch(of: pattern) != nil, "\(time)")
    }

    @Test("the supervisor's records carry no worker field")
    func supervisorHasNoWorker() throws {
        let captured = CapturedLines()
        self.logger(captured, worker: nil).info("supervising")
        let record = try #require(try self.records(captured).first)
        #expect(record["worker"] == nil)
    }

    @Test("the request id appears as request_id, from the logger or the call's metadata")
    func requestIDPresent() throws {
        let captured = CapturedLines()
        var logger = self.logger(captured)
        logger[metadataKey: "request_id"] = "req-123"
        logger.info("with logger metadata")
        self.logger(captured).info("with call metadata", metadata: ["request_id": "req-456"])
        let records = try self.records(captured)
        #expect(records[0]["request_id"] as? String == "req-123")
        #expect(records[1]["request_id"] as? String == "req-456")
    }

    @Test("passwords are masked in the message and in metadata values")
    func passwordsMasked() throws {
        let captured = CapturedLines()
        self.logger(captured).error(
            "cannot connect to postgres://app_rw:hunter2@db:5432/saas_api",
            metadata: ["redis_url": "redis://:s3cr3t@cache:6379/0"]
        )
        #expect(!captured.text.contains("hunter2"))
        #expect(!captured.text.contains("s3cr3t"))
        let record = try #require(try self.records(captured).first)
        #expect(record["msg"] as? String == "cannot connect to postgres://app_rw:***@db:5432/saas_api")
        #expect(record["redis_url"] as? String == "redis://:***@cache:6379/0")
    }

    @Test("numbers in metadata stay JSON numbers")
    func numbersStayNumbers() throws {
        let captured = CapturedLines()
        self.logger(captured).info(
            "done",
            metadata: ["http_status": .stringConvertible(200), "duration_ms": .stringConvertible(1.5)]
        )
        let record = try #require(try self.records(captured).first)
        #expect(record["http_status"] as? Int == 200)
        #expect(record["duration_ms"] as? Double == 1.5)
    }

    @Test("records below the level are not written")
    func levelFilters() {
        let captured = CapturedLines()
        let logger = self.logger(captured, level: .warning)
        logger.info("dropped")
        logger.debug("dropped")
        logger.warning("kept")
        #expect(captured.writes.count == 1)
        #expect(captured.text.contains("kept"))
    }
}
