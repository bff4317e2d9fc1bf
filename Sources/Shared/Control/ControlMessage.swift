/// A message from a worker to its supervisor over the control channel (one
/// `SOCK_SEQPACKET` socketpair per worker).
///
/// Wire format: one line per message, `v1 <kind> [fields…]\n`, so several messages coalesced
/// into one read still parse. The version prefix lets a supervisor and a worker of different
/// builds (during a binary upgrade by reload) reject what they do not understand.
public enum ControlMessage: Sendable, Equatable {
    /// The worker accepts connections and its pools exist.
    case ready
    /// Sent every second from the event-loop thread: counters since the worker started.
    case heartbeat(requests: UInt64, inFlight: Int)
    /// The worker stopped accepting and is finishing its requests.
    case draining
    /// The worker cannot start; the text is its own error, for the supervisor's last log line.
    case fatal(String)

    /// The protocol version this build speaks.
    public static let version = "v1"

    /// The line for this message, newline included.
    public var encoded: [UInt8] {
        let line: String
        switch self {
        case .ready: line = "v1 ready\n"
        case .heartbeat(let requests, let inFlight): line = "v1 heartbeat \(requests) \(inFlight)\n"
        case .draining: line = "v1 draining\n"
        case .fatal(let message):
            let oneLine = String(message.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.prefix(900))
            line = "v1 fatal \(oneLine)\n"
        }
        return Array(line.utf8)
    }

    /// Parses every complete line in `bytes`; unknown versions or kinds are skipped.
    public static func decode(_ bytes: some Collection<UInt8>) -> [ControlMessage] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { self.decodeLine(Array($0)) }
    }

    private static func decodeLine(_ line: [UInt8]) -> ControlMessage? {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == Self.version else { return nil }
        switch parts[1] {
        case "ready": return .ready
        case "draining": return .draining
        case "fatal": return .fatal(parts.count > 2 ? String(parts[2]) : "")
        case "heartbeat":
            guard parts.count > 2 else { return nil }
            let counters = parts[2].split(separator: " ")
            guard counters.count == 2, let requests = UInt64(counters[0]), let inFlight = Int(counters[1]) else {
                return nil
            }
            return .heartbeat(requests: requests, inFlight: inFlight)
        default: return nil
        }
    }
}
