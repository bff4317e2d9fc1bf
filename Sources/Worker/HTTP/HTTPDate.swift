import NIOCore
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The `Date` response header (RFC 9110 §6.6.1: an origin server with a clock sends it), as
/// IMF-fixdate text formatted once per second on the event loop instead of once per response.
///
/// Written and read only on its event loop, which every connection checks when it starts
/// (`HTTPServerHandler.handlerAdded`; `@unchecked Sendable` so `WorkerServices` can hold it).
final class HTTPDate: @unchecked Sendable {
    /// The loop it is confined to (`HTTPServerHandler` checks each connection runs on it).
    let eventLoop: any EventLoop
    private var text: String

    /// Starts refreshing on `eventLoop` every second.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.text = Self.format(time_t(WallClock.now().seconds))
        eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
            self?.text = Self.format(time_t(WallClock.now().seconds))
        }
    }

    /// The current value, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. Only on the event loop.
    var value: String {
        self.eventLoop.assertInEventLoop()
        return self.text
    }

    /// `seconds` since the epoch as IMF-fixdate.
    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
