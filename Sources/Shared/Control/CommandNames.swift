/// Names and summaries both executables' command lines show.
///
/// `migrate` runs in its own executable, `saas-api-migrate` (which links libpq): the supervisor's
/// `saas-api migrate …` hands its whole command line over to it, and only lists the command in
/// its own help. That executable's root is named like the supervisor's, so usage lines read the
/// same.
public enum CommandNames {
    /// The root command, as users type it.
    public static let root = "saas-api"
    /// The root command's one-line summary.
    public static let rootAbstract = "The saas-api server: a supervisor and its worker processes."
    /// The `migrate` subcommand's name.
    public static let migrate = "migrate"
    /// The `migrate` subcommand's one-line summary.
    public static let migrateAbstract = "Apply, revert or inspect the SQL migrations in sql/."
}
