import Logging
import NIOCore
import NIOHTTP1
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The access log's fast path: one line per answered request, formatted straight into a
/// reused byte buffer instead of going through swift-log (`Logger.Metadata` dictionary, merge,
/// sort, existential number checks, a `[UInt8]` per record).
///
/// The line is byte for byte what `JSONLogHandler` writes for the same record:
/// `{"time":…,"level":"info","msg":"GET /p 200","pid":…,"worker":…,"request_id":…,`
/// `"duration_ms":…,"http_method":…,"http_path":…,"http_status":…}`. Only used when the
/// process logs through `JSONLogHandler` without extra metadata; under journald (or any other
/// handler) the access record goes through swift-log as before (`make` returns `nil`).
///
/// Lines are batched: appended to one buffer per event loop and written with one `write(2)`
/// at the end of the loop tick they were produced in (a task queued on the loop runs after
/// every ready channel of that tick was served), or earlier when the batch reaches its limit.
/// A write holds whole lines only, never splits one, and stays under the limit unless a
/// single line exceeds it. The limit depends on what stderr is:
/// - a regular file (the default `>` redirect, `O_APPEND` or not): 64 KiB — Linux serialises
///   writes to a regular file on the file position lock, so one write's bytes stay together
///   even with the supervisor and every worker sharing the descriptor;
/// - a pipe, a socket (journald's stream socket under systemd) or a terminal: `PIPE_BUF`
///   (4 KiB) — the size up to which the kernel keeps a write to a pipe atomic, so lines from
///   different processes never interleave mid-line.
/// Nothing buffered outlives its tick by design: a draining worker's last lines are written
/// by the same queued task (NIO runs queued tasks while the loop shuts down, before the
/// process exits). Only a `SIGKILL` or a crash within that tick can lose them. Other log
/// records (swift-log) are written at once, so within one tick they can precede the access
/// lines of requests answered just before them; `time` orders them.
///
/// Confined to its event loop, the worker's one loop, which every connection checks when it
/// starts (`HTTPServerHandler.handlerAdded`; `@unchecked Sendable` so `WorkerServices` can
/// hold it).
final class AccessLog: @unchecked Sendable {
    /// The batch limit when stderr is a regular file.
    static let fileBatchLimit = 64 * 1024
    /// The batch limit otherwise (`PIPE_BUF` on Linux).
    static let streamBatchLimit = 4096
    private let sink: LogSink
    private let eventLoop: (any EventLoop)?
    private let batchLimit: Int
    /// `","pid":123,"worker":1,"request_id":"`, rendered once.
    let identity: [UInt8]
    var clock = Timestamp.Cache()
    private var pending: [UInt8] = []
    private var flushQueued = false

    /// The fast path for `logger`'s handler, or `nil` when it is not a plain `JSONLogHandler`.
    static func make(logger: Logger, eventLoop: any EventLoop) -> AccessLog? {
        guard let handler = logger.handler as? JSONLogHandler, handler.metadata.isEmpty else { return nil }
        var info = stat()
        let isFile = fstat(2, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        return AccessLog(
            process: handler.process,
            sink: handler.sink,
            eventLoop: eventLoop,
            batchLimit: isFile ? Self.fileBatchLimit : Self.streamBatchLimit
        )
    }

    /// Without `eventLoop`, every line is written at once.
    init(process: ProcessLogIdentity, sink: LogSink, eventLoop: (any EventLoop)? = nil, batchLimit: Int = 0) {
        self.sink = sink
        self.eventLoop = eventLoop
        self.batchLimit = eventLoop == nil ? 0 : batchLimit
        var identity = Array(#"","pid":"#.utf8)
        Self.appendDecimal(UInt64(process.pid), to: &identity)
        if let worker = process.worker {
            identity += Array(#","worker":"#.utf8)
            Self.appendDecimal(UInt64(worker), to: &identity)
        }
        identity += Array(#","request_id":""#.utf8)
        self.identity = identity
        self.pending.reserveCapacity(max(512, min(self.batchLimit, Self.fileBatchLimit) + 1024))
    }

    /// Queues the access line of one answered request.
    func record(_ entry: Entry) {
        let start = self.pending.count
        self.format(entry, to: &self.pending)
        if self.pending.count >= self.batchLimit {
            if start > 0 && self.pending.count > self.batchLimit {
                // The new line would push the batch over the limit: the earlier lines go alone.
                self.sink.write(Array(self.pending[..<start]))
                self.pending.removeSubrange(..<start)
            }
            if self.pending.count >= self.batchLimit { self.flush() }
        }
        if !self.pending.isEmpty && !self.flushQueued, let eventLoop = self.eventLoop {
            self.flushQueued = true
            eventLoop.execute {
                self.flushQueued = false
                self.flush()
            }
        }
    }

    /// Writes what is buffered, in one write.
    func flush() {
        guard !self.pending.isEmpty else { return }
        self.sink.write(self.pending)
        self.pending.removeAll(keepingCapacity: true)
    }

    /// The access record through swift-log (the path when `make` returned `nil`): the message
    /// and metadata whose `JSONLogHandler` line `format` reproduces byte for byte.
    static func log(
        to logger: Logger,
        requestID: String,
        method: HTTPMethod,
        uri: String,
        status: UInt,
        elapsedNanoseconds: UInt64,
        trace: TraceContext? = nil
    ) {
        let record = Self.swiftLogRecord(
            requestID: requestID,
            method: method,
            uri: uri,
            status: status,
            elapsedNanoseconds: elapsedNanoseconds,
            trace: trace
        )
        logger.info("\(record.message)", metadata: record.metadata)
    }

    /// The message and metadata of an access record for swift-log.
    static func swiftLogRecord(
        requestID: String,
        method: HTTPMethod,
        uri: String,
        status: UInt,
        elapsedNanoseconds: UInt64,
        trace: TraceContext? = nil
    ) -> (message: String, metadata: Logger.Metadata) {
        let milliseconds = Double(elapsedNanoseconds / 1000) / 1000
        let path = APIError.printable(String(Self.pathPart(of: uri)))
        let methodText = APIError.printable(method.rawValue)
        var metadata: Logger.Metadata = [
            LogKey.requestID: .string(requestID),
            "http_method": .string(methodText),
            "http_path": .string(path),
            "http_status": .stringConvertible(Int(status)),
            "duration_ms": .stringConvertible(milliseconds),
        ]
        if let trace {
            metadata[LogKey.traceID] = .string(trace.traceID)
            metadata[LogKey.spanID] = .string(trace.spanIDText)
        }
        return ("\(methodText) \(path) \(status)", metadata)
    }

    /// Appends one complete line (with its newline) to `out`.
    func format(_ entry: Entry, to out: inout [UInt8]) {
        if !self.appendPlainLine(entry, to: &out) { self.formatEscaping(entry, to: &out) }
    }

    /// What one access line says.
    struct Entry {
        /// The id sent back in `X-Request-Id`, the method, the target (the line names its path
        /// only: a query may hold secrets) and the status.
        let requestID: String, method: HTTPMethod, uri: String, status: UInt
        /// From the head's arrival to the response's; the W3C trace context digits, logged as
        /// `trace_id` and `span_id`.
        let elapsedNanoseconds: UInt64, trace: TraceDigits?

        init(
            requestID: String,
            method: HTTPMethod,
            uri: String,
            status: UInt,
            elapsedNanoseconds: UInt64,
            trace: TraceDigits? = nil
        ) {
            (self.requestID, self.method, self.uri) = (requestID, method, uri)
            (self.status, self.elapsedNanoseconds, self.trace) = (status, elapsedNanoseconds, trace)
        }
    }

    /// `format` for any text: escaped and masked field by field.
    func formatEscaping(_ entry: Entry, to out: inout [UInt8]) {
        let methodText = Self.loggable(Substring(entry.method.rawValue))
        let path = Self.loggable(Self.pathPart(of: entry.uri))
        out.append(contentsOf: #"{"time":""#.utf8)
        self.clock.appendNow(to: &out)
        out.append(contentsOf: #"","level":"info","msg":""#.utf8)
        JSONWriter.appendEscaped(methodText, to: &out)
        out.append(UInt8(ascii: " "))
        JSONWriter.appendEscaped(path, to: &out)
        out.append(UInt8(ascii: " "))
        Self.appendDecimal(UInt64(entry.status), to: &out)
        out.append(contentsOf: self.identity)
        JSONWriter.appendEscaped(Substring(entry.requestID), to: &out)  // logged as is, like swift-log's path
        out.append(contentsOf: #"","duration_ms":"#.utf8)
        Self.appendMilliseconds(microseconds: entry.elapsedNanoseconds / 1000, to: &out)
        out.append(contentsOf: #","http_method":""#.utf8)
        JSONWriter.appendEscaped(methodText, to: &out)
        out.append(contentsOf: #"","http_path":""#.utf8)
        JSONWriter.appendEscaped(path, to: &out)
        out.append(contentsOf: #"","http_status":"#.utf8)
        Self.appendDecimal(UInt64(entry.status), to: &out)
        if let trace = entry.trace { trace.appendLogFields(to: &out) }
        out.append(contentsOf: "}\n".utf8)
    }

    /// The target up to `?`.
    static func pathPart(of uri: String) -> Substring {
        var whole = Substring(uri)
        let length = whole.withUTF8 { utf8 in utf8.firstIndex(of: UInt8(ascii: "?")) }
        guard let length else { return whole }
        return whole[..<whole.utf8.index(whole.startIndex, offsetBy: length)]
    }

    /// `APIError.printable` then `Secrets.mask`, as the swift-log path applies them; clean
    /// text (the usual case) is returned as is without a scan beyond one pass over its bytes.
    static func loggable(_ text: Substring) -> Substring {
        var bytes = text
        let (clean, mayHoldSecret) = bytes.withUTF8 { utf8 -> (Bool, Bool) in
            guard utf8.count <= 200 else { return (false, false) }
            var mayHoldSecret = false
            for byte in utf8 {
                if byte < 0x20 || byte == 0x7F { return (false, false) }
                if byte == UInt8(ascii: "@") { mayHoldSecret = true }
            }
            return (true, mayHoldSecret)
        }
        if clean && !mayHoldSecret { return text }
        return Substring(Secrets.mask(APIError.printable(String(text))))
    }

    /// `value` in decimal.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        withRawOutput(appendingTo: &out, capacity: 24) { $0.appendDecimal(Int(clamping: value)) }
    }

    /// Milliseconds with up to three decimals, as `Double.description` prints
    /// `Double(microseconds) / 1000`: trailing zeros dropped, at least one decimal (`0.012`,
    /// `1.5`, `3.0`).
    static func appendMilliseconds(microseconds: UInt64, to out: inout [UInt8]) {
        withRawOutput(appendingTo: &out, capacity: 24) { $0.appendMilliseconds(microseconds: microseconds) }
    }
}
