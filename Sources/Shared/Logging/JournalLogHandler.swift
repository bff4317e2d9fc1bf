import CSystemd
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler writing to journald's native protocol (`sd_journal_sendv`), so that
/// `journalctl -u saas-api WORKER=2` or `REQUEST_ID=…` find records by field.
///
/// Fields: `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER=saas-api`, `WORKER`, `GENERATION`,
/// `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, and every metadata key upper-cased
/// (`request_id` → `REQUEST_ID`, `http_status` → `HTTP_STATUS`).
public struct JournalLogHandler: LogHandler {
    /// The minimum level logged.
    public var logLevel: Logger.Level
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    private let process: ProcessLogIdentity

    /// Creates a handler for one process.
    public init(level: Logger.Level, process: ProcessLogIdentity) {
        self.logLevel = level
        self.process = process
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Sends one record to journald.
    public func log(event: LogEvent) {
        var merged = self.metadata
        if let explicit = event.metadata, !explicit.isEmpty { merged.merge(explicit) { _, new in new } }
        var fields = [
            "MESSAGE=" + Secrets.mask(event.message.description),
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=saas-api",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        if let worker = self.process.worker { fields.append("WORKER=\(worker)") }
        if let generation = self.process.generation { fields.append("GENERATION=\(generation)") }
        for (key, value) in merged {
            fields.append(Self.fieldName(key) + "=" + Secrets.mask(value.description))
        }
        Self.send(fields)
    }

    /// The syslog priority of a swift-log level.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A journal field name: upper-case ASCII letters, digits and `_`, not starting with `_`.
    static func fieldName(_ key: String) -> String {
        var name = String(
            key.uppercased().unicodeScalars.map { scalar -> Character in
                let isAllowed = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                return isAllowed ? Character(scalar) : "_"
            }
        )
        while name.hasPrefix("_") { name.removeFirst() }
        return name.isEmpty ? "FIELD" : String(name.prefix(64))
    }

    private static func send(_ fields: [String]) {
        var storage = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(storage.count)
        for index in storage.indices {
            storage[index].withUnsafeMutableBytes { buffer in
                vectors.append(iovec(iov_base: buffer.baseAddress, iov_len: buffer.count))
            }
        }
        // The pointers stay valid: `storage` is not mutated until after the call.
        withExtendedLifetime(storage) {
            _ = sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }
}
