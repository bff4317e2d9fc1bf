import Logging

/// Builds a `Config` from flags, the environment, `.env` text and defaults, validating every
/// value. Pure: the caller reads the file and the environment, so it is unit tested directly.
public enum ConfigLoader {
    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnv: the contents of `.env`, if the file exists.
    ///   - overrides: values from command-line flags, keyed by variable name (`WORKERS`).
    ///   - cpuCount: the default for `WORKERS`.
    public static func load(
        environment: [String: String],
        dotEnv: String? = nil,
        overrides: [String: String] = [:],
        cpuCount: Int
    ) throws(ConfigError) -> Config {
        var values: [String: String] = [:]
        if let dotEnv {
            do {
                values = try DotEnv.parse(dotEnv)
            } catch {
                throw ConfigError(variable: ".env", problem: "line \(error.line): \(error.reason)")
            }
        }
        values.merge(environment) { _, real in real }
        values.merge(overrides) { _, flag in flag }
        return try self.build(values, cpuCount: cpuCount)
    }

    private static func build(_ values: [String: String], cpuCount: Int) throws(ConfigError) -> Config {
        var config = Config(cpuCount: cpuCount)
        let reader = ConfigReader(values: values)
        for variable in Config.variables { try variable.read(&config, reader) }
        return config
    }
}
