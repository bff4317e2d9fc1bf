#if canImport(Glibc)
import Glibc
#endif

/// Where finished log lines go. Each line is handed over in one `write(2)`, so lines from
/// several processes sharing stderr never interleave.
public struct LogSink: Sendable {
    /// Receives one complete record (including its trailing newline).
    public let write: @Sendable ([UInt8]) -> Void

    /// Creates a sink from a closure (tests collect lines this way).
    public init(write: @escaping @Sendable ([UInt8]) -> Void) {
        self.write = write
    }

    /// Standard error, retrying short writes and `EINTR`.
    public static let standardError = LogSink.writing(to: 2)
    /// Standard output, the same way (command output).
    public static let standardOutput = LogSink.writing(to: 1)

    /// A file descriptor, retrying short writes and `EINTR`.
    public static func writing(to fd: Int32) -> LogSink {
        LogSink { bytes in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // the descriptor is gone; nothing sensible to do with the bytes
                    }
                }
            }
        }
    }
}
