import Shared

/// One numbered migration: its up and down scripts, read from `NNNN_name.up.sql` and
/// `NNNN_name.down.sql`.
public struct Migration: Sendable, Equatable {
    /// The number, from 1.
    public let version: Int
    /// The part after the number: lowercase letters, digits and underscores.
    public let name: String
    /// The up script.
    public let upSQL: String
    /// The down script.
    public let downSQL: String
    /// SHA-256 of the up file's bytes, lowercase hex. Only the up file counts: it is what was
    /// applied; the down file may be fixed later without touching the applied state.
    public let checksum: String

    /// Creates a migration; the checksum is computed from `upSQL`.
    public init(version: Int, name: String, upSQL: String, downSQL: String) {
        self.version = version
        self.name = name
        self.upSQL = upSQL
        self.downSQL = downSQL
        self.checksum = SHA256.hex(upSQL.utf8)
    }

    /// `0003_stores`.
    public var id: String { "\(Self.paddedVersion(self.version))_\(self.name)" }

    /// `0003_stores.up.sql`.
    public var upFileName: String { "\(self.id).up.sql" }

    /// `0003_stores.down.sql`.
    public var downFileName: String { "\(self.id).down.sql" }

    /// The version as four digits (more when it outgrows them).
    public static func paddedVersion(_ version: Int) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The 1-based line of the first statement that controls the transaction (`BEGIN;`,
    /// `START TRANSACTION`, `COMMIT`, `ROLLBACK`, …), if any.
    ///
    /// A line-based check, deliberately simple: PL/pgSQL's block `BEGIN` has no semicolon and
    /// `END;` (also a synonym of COMMIT) is never flagged, so DO blocks and function bodies
    /// pass; a one-line function body starting with `BEGIN` and holding a `;` would not.
    static func transactionControlLine(in sql: String) -> Int? {
        var number = 0
        for rawLine in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = rawLine.drop { $0 == " " || $0 == "\t" }
            if let comment = line.firstOccurrence(of: "--") { line = line[..<comment.lowerBound] }
            let words = line.lowercased().split { $0 == " " || $0 == "\t" || $0 == ";" || $0 == "\r" }
            guard let first = words.first else { continue }
            let endsStatement = line.contains(";")
            switch first {
            case "begin", "commit", "rollback", "abort":
                if endsStatement { return number }
            case "start":
                if words.count > 1 && words[1] == "transaction" { return number }
            default:
                continue
            }
        }
        return nil
    }
}
