/// Where the supervisor serves `/metrics` (`METRICS_ADDRESS`): `host:port` with an IPv4
/// address, `[IPv6]:port`, or `localhost:port`. Port 0 takes a free port (logged at start).
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address to bind, without brackets.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// The default: loopback only, the port OpenTelemetry's Prometheus exporter uses.
    public static let standard = MetricsAddress(host: "127.0.0.1", port: 9464)

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; `nil` when it is not `host:port` as described above.
    public init?(_ text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            let isIPv4 = octets.count == 4 && octets.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
            guard isIPv4 || host == "localhost" else { return nil }
        }
        guard portText.allSatisfy(\.isASCII), let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(host: host == "localhost" ? "127.0.0.1" : String(host), port: port)
    }

    /// `host:port`, bracketed for IPv6.
    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
