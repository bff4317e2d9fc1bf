import Foundation

/// An HTTP/1.x response parsed from the bytes the server wrote.
struct ParsedResponse {
    let version: String
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// Bytes the response took in the output.
    let length: Int

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// How many headers are named `name`.
    func count(_ name: String) -> Int {
        self.headers.filter { $0.name.lowercased() == name.lowercased() }.count
    }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an envelope.
    var errorCode: String? {
        guard self.json["success"] as? Bool == false else { return nil }
        return (self.json["error"] as? [String: Any])?["code"] as? String
    }

    /// `error.message` of an envelope.
    var errorMessage: String? {
        (self.json["error"] as? [String: Any])?["message"] as? String
    }

    /// Parses one response from the front of `data`; `nil` until it is complete.
    static func parse(_ data: [UInt8], noBody: Bool = false) -> ParsedResponse? {
        guard let end = data.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let declared = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyLength = noBody || status < 200 ? 0 : declared
        guard data.count >= end.upperBound + bodyLength else { return nil }
        return ParsedResponse(
            version: String(statusLine[0]),
            status: status,
            headers: headers,
            body: Array(data[end.upperBound..<(end.upperBound + bodyLength)]),
            length: end.upperBound + bodyLength
        )
    }
}
