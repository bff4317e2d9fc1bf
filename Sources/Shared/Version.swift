/// The service version: the one source of truth for `/health` and logs.
public enum Version {
    /// Semantic version of this build.
    public static let current = "1.0.0"
}
