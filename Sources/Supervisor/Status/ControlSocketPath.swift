import Shared

#if canImport(Glibc)
import Glibc
#endif

/// Where the supervisor's local control socket lives, computed the same way by `serve` and
/// by `status`: `CONTROL_SOCKET` if set, else a per-port name in the first private, writable
/// place (`/run/saas-api`, `$XDG_RUNTIME_DIR`), else `/tmp` with the uid in the name.
enum ControlSocketPath {
    /// The path for `config`.
    static func resolve(_ config: Config) -> String {
        if let configured = config.controlSocket { return configured }
        let name = "saas-api-\(config.port).sock"
        if access("/run/saas-api", W_OK) == 0 { return "/run/saas-api/\(name)" }
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty,
            access(runtime, W_OK) == 0
        {
            return "\(runtime)/\(name)"
        }
        return "/tmp/saas-api-\(getuid())-\(config.port).sock"
    }

    /// A `sockaddr_un` for `path`, or `nil` when the path is too long for one.
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return address
    }

    /// `connect(2)` of `fd` to `path`.
    static func connect(_ fd: Int32, to path: String) -> Bool {
        guard var address = self.address(path) else { return false }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
