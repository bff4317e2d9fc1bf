import Logging

/// A swift-log handler writing one JSON object per line:
/// `{"time":"…","level":"info","msg":"…","pid":12,"worker":2,"request_id":"…",…metadata}`.
///
/// Passwords in URLs are masked in the message and in every metadata value.
public struct JSONLogHandler: LogHandler {
    /// The minimum level logged.
    public var logLevel: Logger.Level
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Who logs (pid and worker slot in every record).
    public let process: ProcessLogIdentity
    /// Where the records go.
    public let sink: LogSink

    /// Creates a handler for one process.
    public init(level: Logger.Level, process: ProcessLogIdentity, sink: LogSink = .standardError) {
        self.logLevel = level
        self.process = process
        self.sink = sink
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Formats and writes one record.
    public func log(event: LogEvent) {
        var merged = self.metadata
        if let explicit = event.metadata, !explicit.isEmpty { merged.merge(explicit) { _, new in new } }
        self.sink.write(
            Self.format(level: event.level, message: event.message.description, metadata: merged, process: self.process)
        )
    }

    /// One record as a JSON line (with the trailing newline).
    public static func format(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        process: ProcessLogIdentity
    ) -> [UInt8] {
        var json = JSONWriter(capacity: 192 + message.utf8.count)
        var time: [UInt8] = []
        time.reserveCapacity(24)
        Timestamp.appendNow(to: &time)
        json.field("time", String(decoding: time, as: UTF8.self))
        json.field("level", level.rawValue)
        json.field("msg", Secrets.mask(message))
        json.field("pid", process.pid)
        if let worker = process.worker { json.field("worker", worker) }
        if let requestID = metadata[LogKey.requestID] { json.field("request_id", requestID.description) }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where key != LogKey.requestID {
            if case .stringConvertible(let number) = value, number is Int || number is Double || number is UInt64 {
                json.field(dynamicKey: key, rawJSON: number.description)  // numbers stay numbers
            } else {
                json.field(dynamicKey: key, Secrets.mask(value.description))
            }
        }
        var bytes = json.finish()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

/// Who is logging: fixed for the life of a process, so set once at bootstrap.
public struct ProcessLogIdentity: Sendable, Equatable {
    /// The process id.
    public let pid: Int
    /// The worker slot, or `nil` for the supervisor.
    public let worker: Int?
    /// The worker generation, or `nil` for the supervisor.
    public let generation: Int?

    /// Creates an identity.
    public init(pid: Int, worker: Int?, generation: Int?) {
        self.pid = pid
        self.worker = worker
        self.generation = generation
    }
}

/// Metadata keys with a meaning of their own in the log formats.
public enum LogKey {
    /// The request id (`request_id` in JSON, `REQUEST_ID` in the journal).
    public static let requestID = "request_id"
    /// The W3C trace id of the request (`trace_id`, `TRACE_ID` in the journal).
    public static let traceID = "trace_id"
    /// This server's span id of the request (`span_id`, `SPAN_ID` in the journal).
    public static let spanID = "span_id"
}
