/// The `http_request_method` values of the request metrics: the methods of RFC 9110 and
/// PATCH, anything else as `_OTHER` (the OpenTelemetry convention), so a client inventing
/// methods cannot grow the number of series.
public enum HTTPMethodLabel {
    /// Label values by index; the last is `_OTHER`.
    public static let names = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "_OTHER",
    ]
    /// The index of `_OTHER`.
    public static let other = names.count - 1

    /// The index of the method named `name` (`_OTHER` when it is not one of `names`).
    public static func index(of name: String) -> Int {
        self.names.firstIndex(of: name).flatMap { $0 == self.other ? nil : $0 } ?? self.other
    }
}
