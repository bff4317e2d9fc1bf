import Foundation
import Hummingbird

/// One page of charts.
struct ChartPage: ResponseEncodable {
    let data: [Chart]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.data, forKey: .data)
        try container.encode(self.nextCursor, forKey: .nextCursor)  // null on the last page
    }
}

/// The opaque keyset cursor: base64url of the ordering and the last row's sort key.
enum ChartCursor {
    static func encode(after chart: Chart, pinnedOrder: Bool) -> String {
        let key = pinnedOrder ? "p|\(chart.position.map(String.init) ?? "")|" : "c|"
        let text = key + chart.createdAt + "|" + chart.id.uuidString.lowercased()
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
