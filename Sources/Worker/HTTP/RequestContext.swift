import Logging
import NIOCore
import Shared

/// What a handler gets beside the request: the request id, a logger that stamps it on every
/// line, the connection's event loop, the worker's services, and typed values that the route's
/// hooks put in (the tenant, the caller).
struct RequestContext: Sendable {
    /// The request id (`X-Request-Id`), echoed in the response and every log line.
    let requestID: String
    /// The event loop of the connection; futures returned by handlers must be on it.
    let eventLoop: any EventLoop
    /// Pools, health checks and configuration.
    let services: WorkerServices
    private let baseLogger: Logger
    /// Values set by hooks, one per type. A short array: a request carries one or two; `nil`
    /// for most, which carry none (nothing to allocate, copy or release).
    private var values: [(type: ObjectIdentifier, value: any Sendable)]?

    init(requestID: String, baseLogger: Logger, eventLoop: any EventLoop, services: WorkerServices) {
        self.requestID = requestID
        self.baseLogger = baseLogger
        self.eventLoop = eventLoop
        self.services = services
    }

    /// A logger carrying `request_id` (built on first use: most requests never log).
    var logger: Logger {
        var logger = self.baseLogger
        logger[metadataKey: LogKey.requestID] = .string(self.requestID)
        return logger
    }

    /// Stores `value` under its type, replacing an earlier one (hooks call this).
    mutating func set<Value: Sendable>(_ value: Value) {
        let key = ObjectIdentifier(Value.self)
        if let index = self.values?.firstIndex(where: { $0.type == key }) {
            self.values?[index].value = value
        } else {
            self.values = (self.values ?? []) + [(key, value)]
        }
    }

    /// The value of type `Value` a hook stored, if any.
    func get<Value: Sendable>(_ type: Value.Type) -> Value? {
        let key = ObjectIdentifier(type)
        return self.values?.first { $0.type == key }?.value as? Value
    }

    /// The value of type `Value` a hook stored. Its absence means the route is outside the group
    /// whose hook provides it: a bug, answered 500 and logged.
    func require<Value: Sendable>(_ type: Value.Type) throws -> Value {
        guard let value = self.get(type) else { throw MissingRouteValue(name: String(describing: type)) }
        return value
    }
}
