import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Bootstraps swift-log once per process with the configured format.
public enum LoggingSetup {
    /// Installs the handler for this process. Call once, first thing in `main`.
    public static func bootstrap(level: Logger.Level, format: Config.LogFormat, process: ProcessLogIdentity) {
        let useJournal = self.resolve(format) == .journal
        LoggingSystem.bootstrap { _ in
            if useJournal {
                return JournalLogHandler(level: level, process: process)
            }
            return JSONLogHandler(level: level, process: process)
        }
    }

    /// `auto` becomes `journal` when stderr is connected to the journal (systemd sets
    /// `JOURNAL_STREAM=device:inode` of that stream), else `json`.
    public static func resolve(_ format: Config.LogFormat) -> Config.LogFormat {
        guard format == .auto else { return format }
        guard let stream = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return .json }
        var info = stat()
        guard fstat(2, &info) == 0 else { return .json }
        return stream == "\(info.st_dev):\(info.st_ino)" ? .journal : .json
    }
}
