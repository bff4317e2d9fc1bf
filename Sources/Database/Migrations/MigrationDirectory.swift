import Shared

/// A directory of migration files (`sql/`): discovery, validation and `create`.
public struct MigrationDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// A directory at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Where `make install` puts the migrations, relative to the executables' directory
    /// (`/usr/local/bin` → `/usr/local/share/saas-api/sql`).
    public static let installedRelativePath = "../share/saas-api/sql"

    /// The default: `sql/` in the current directory, else `sql/` next to the executable (a
    /// binary with its migrations beside it), else the installed copy (`make install`).
    public static func defaultPath() -> String {
        let local = MigrationFileSystem.currentDirectory() + "/sql"
        if MigrationFileSystem.isDirectory(local) { return local }
        if let executable = MigrationFileSystem.executableDirectory() {
            for candidate in [executable + "/sql", executable + "/" + self.installedRelativePath]
            where MigrationFileSystem.isDirectory(candidate) {
                return candidate
            }
        }
        return local
    }

    /// Reads and validates every migration, ordered by version.
    public func load() throws(MigrationError) -> [Migration] {
        let layout = try Self.layout(of: MigrationFileSystem.listDirectory(self.path))
        var migrations: [Migration] = []
        for entry in layout {
            let upFile = "\(Migration.paddedVersion(entry.version))_\(entry.name).up.sql"
            let downFile = "\(Migration.paddedVersion(entry.version))_\(entry.name).down.sql"
            let up = try MigrationFileSystem.readFile(self.path + "/" + upFile)
            let down = try MigrationFileSystem.readFile(self.path + "/" + downFile)
            for (file, sql) in [(upFile, up), (downFile, down)] {
                if let line = Migration.transactionControlLine(in: sql) {
                    throw .transactionControl(file: file, line: line)
                }
            }
            migrations.append(Migration(version: entry.version, name: entry.name, upSQL: up, downSQL: down))
        }
        return migrations
    }

    /// Writes the next numbered pair of empty migration files; returns their paths.
    @discardableResult
    public func create(name: String) throws(MigrationError) -> (up: String, down: String) {
        guard Self.isValidName(name) else { throw .invalidName(name) }
        let existing = try Self.layout(of: MigrationFileSystem.listDirectory(self.path))
        let id = "\(Migration.paddedVersion((existing.last?.version ?? 0) + 1))_\(name)"
        let up = "\(self.path)/\(id).up.sql"
        let down = "\(self.path)/\(id).down.sql"
        try MigrationFileSystem.createFile(
            up,
            contents: "-- \(id): what this step changes, and why.\n-- No BEGIN/COMMIT: the migrator wraps the file "
                + "in a transaction.\nSET ROLE app_owner;\n\nRESET ROLE;\n"
        )
        try MigrationFileSystem.createFile(
            down,
            contents: "-- \(id) (down): undo exactly what the up file does.\nSET ROLE app_owner;\n\nRESET ROLE;\n"
        )
        return (up, down)
    }

    /// Validates file names: every `.sql` file is `NNNN_name.up.sql` or `NNNN_name.down.sql`,
    /// each version has one name and both files, and versions run 1, 2, … without gaps.
    /// Other files (a README) are ignored.
    static func layout(of fileNames: [String]) throws(MigrationError) -> [(version: Int, name: String)] {
        var names: [Int: String] = [:]
        var files: [Int: Set<String>] = [:]
        for file in fileNames.sorted() where file.hasSuffix(".sql") {
            guard let parsed = Self.parse(file) else { throw .invalidFileName(file) }
            if let known = names[parsed.version], known != parsed.name {
                let clash = fileNames.sorted().filter { $0.hasPrefix(Migration.paddedVersion(parsed.version) + "_") }
                throw .duplicateVersion(version: parsed.version, files: clash)
            }
            names[parsed.version] = parsed.name
            files[parsed.version, default: []].insert(file)
        }
        var layout: [(version: Int, name: String)] = []
        for version in names.keys.sorted() {
            let name = names[version]!
            let stem = "\(Migration.paddedVersion(version))_\(name)"
            let pair = files[version] ?? []
            if !pair.contains(stem + ".up.sql") {
                throw .missingPair(file: stem + ".down.sql", missing: stem + ".up.sql")
            }
            if !pair.contains(stem + ".down.sql") {
                throw .missingPair(file: stem + ".up.sql", missing: stem + ".down.sql")
            }
            if version != layout.count + 1 { throw .gap(missingVersion: layout.count + 1) }
            layout.append((version, name))
        }
        return layout
    }

    /// `0003_stores.up.sql` → (3, "stores"); nil for anything else.
    private static func parse(_ file: String) -> (version: Int, name: String)? {
        let stem: Substring
        if file.hasSuffix(".up.sql") {
            stem = file.dropLast(7)
        } else if file.hasSuffix(".down.sql") {
            stem = file.dropLast(9)
        } else {
            return nil
        }
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = String(stem[stem.index(after: underscore)...])
        guard digits.count == 4, digits.allSatisfy({ ("0"..."9").contains($0) }), let version = Int(digits),
            version >= 1,
            isValidName(name)
        else { return nil }
        return (version, name)
    }

    /// Lowercase ASCII letters, digits and underscores, starting with a letter.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
