import ArgumentParser

/// `saas-api migrate up|down|status|create`: schema migrations over libpq.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply, revert or inspect the SQL migrations in sql/."
    )

    func run() throws {
        throw ValidationError("migrate is not implemented yet")
    }
}
