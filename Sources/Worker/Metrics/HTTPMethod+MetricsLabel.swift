import NIOHTTP1
import Shared

extension HTTPMethod {
    /// This method's `HTTPMethodLabel` index: one switch, no string comparison, so recording
    /// a request costs no lookup. Methods outside the label set are `_OTHER`.
    @inline(__always)
    var metricsIndex: Int {
        switch self {
        case .GET: 0
        case .HEAD: 1
        case .POST: 2
        case .PUT: 3
        case .DELETE: 4
        case .PATCH: 5
        case .OPTIONS: 6
        case .CONNECT: 7
        case .TRACE: 8
        default: HTTPMethodLabel.other
        }
    }
}
