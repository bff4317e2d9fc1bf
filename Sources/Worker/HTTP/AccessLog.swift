import Logging
import NIOCore
import NIOHTTP1
import Shared

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
/// Confined to its event loop (`@unchecked Sendable` so `WorkerServices` can hold it).
final class AccessLog: @unchecked Sendable {
    private let sink: LogSink
    /// `","pid":123,"worker":1,"request_id":"`, rendered once.
    private let identity: [UInt8]
    private var clock = Timestamp.Cache()
    private var line: [UInt8] = []

    /// The fast path for `logger`'s handler, or `nil` when it is not a plain `JSONLogHandler`.
    static func make(logger: Logger) -> AccessLog? {
        guard let handler = logger.handler as? JSONLogHandler, handler.metadata.isEmpty else { return nil }
        return AccessLog(process: handler.process, sink: handler.sink)
    }

    init(process: ProcessLogIdentity, sink: LogSink) {
        self.sink = sink
        var identity = Array(#"","pid":"#.utf8)
        Self.appendDecimal(UInt64(process.pid), to: &identity)
        if let worker = process.worker {
            identity += Array(#","worker":"#.utf8)
            Self.appendDecimal(UInt64(worker), to: &identity)
        }
        identity += Array(#","request_id":""#.utf8)
        self.identity = identity
        self.line.reserveCapacity(512)
    }

    /// Writes the access line of one answered request.
    func record(requestID: String, method: HTTPMethod, uri: String, status: UInt, elapsedNanoseconds: UInt64) {
        self.line.removeAll(keepingCapacity: true)
        self.format(
            requestID: requestID,
            method: method,
            uri: uri,
            status: status,
            elapsedNanoseconds: elapsedNanoseconds,
            to: &self.line
        )
        self.sink.write(self.line)
    }

    /// Writes what is buffered (nothing is: every record is written at once).
    func flush() {}

    /// Appends one complete line (with its newline) to `out`.
    func format(
        requestID: String,
        method: HTTPMethod,
        uri: String,
        status: UInt,
        elapsedNanoseconds: UInt64,
        to out: inout [UInt8]
    ) {
        let methodText = Self.loggable(Substring(method.rawValue))
        let path = Self.loggable(Self.pathPart(of: uri))
        out.append(contentsOf: #"{"time":""#.utf8)
        self.clock.appendNow(to: &out)
        out.append(contentsOf: #"","level":"info","msg":""#.utf8)
        JSONWriter.appendEscaped(methodText, to: &out)
        out.append(UInt8(ascii: " "))
        JSONWriter.appendEscaped(path, to: &out)
        out.append(UInt8(ascii: " "))
        Self.appendDecimal(UInt64(status), to: &out)
        out.append(contentsOf: self.identity)
        JSONWriter.appendEscaped(Substring(requestID), to: &out)  // logged as is, like swift-log's path
        out.append(contentsOf: #"","duration_ms":"#.utf8)
        Self.appendMilliseconds(microseconds: elapsedNanoseconds / 1000, to: &out)
        out.append(contentsOf: #","http_method":""#.utf8)
        JSONWriter.appendEscaped(methodText, to: &out)
        out.append(contentsOf: #"","http_path":""#.utf8)
        JSONWriter.appendEscaped(path, to: &out)
        out.append(contentsOf: #"","http_status":"#.utf8)
        Self.appendDecimal(UInt64(status), to: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    /// The target up to `?`.
    static func pathPart(of uri: String) -> Substring {
        let whole = Substring(uri)
        guard let mark = whole.utf8.firstIndex(of: UInt8(ascii: "?")) else { return whole }
        return whole[..<mark]
    }

    /// `APIError.printable` then `Secrets.mask`, as the swift-log path applies them; clean
    /// text (the usual case) is returned as is without a scan beyond one pass over its bytes.
    static func loggable(_ text: Substring) -> Substring {
        var clean = text.utf8.count <= 200
        var mayHoldSecret = false
        if clean {
            for byte in text.utf8 {
                if byte < 0x20 || byte == 0x7F {
                    clean = false
                    break
                }
                if byte == UInt8(ascii: "@") { mayHoldSecret = true }
            }
        }
        if clean && !mayHoldSecret { return text }
        return Substring(Secrets.mask(APIError.printable(String(text))))
    }

    /// `value` in decimal.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Milliseconds with up to three decimals, as `Double.description` prints
    /// `Double(microseconds) / 1000`: trailing zeros dropped, at least one decimal (`0.012`,
    /// `1.5`, `3.0`).
    static func appendMilliseconds(microseconds: UInt64, to out: inout [UInt8]) {
        self.appendDecimal(microseconds / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        var fraction = microseconds % 1000
        var digits = 3
        while digits > 1 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }
}
