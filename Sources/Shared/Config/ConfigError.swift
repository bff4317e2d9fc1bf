/// A configuration value that cannot be used. The description is the one line printed before
/// exiting with status 2: it names the variable and what is wrong, never a secret.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The variable (`PORT`), or the file (`.env`) that is wrong.
    public let variable: String
    /// What is wrong with it, e.g. `'abc' is not a whole number from 1 to 65535`.
    public let problem: String

    /// Creates an error.
    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    /// `invalid PORT: 'abc' is not a whole number from 1 to 65535`
    public var description: String { "invalid \(self.variable): \(self.problem)" }
}
