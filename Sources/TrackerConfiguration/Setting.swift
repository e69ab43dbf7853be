import ArgumentParser

/// The process environment. An empty variable counts as unset.
public typealias Environment = [String: String]

/// One option, described once: its flag, environment variable, default, parser and help. A role's
/// options are a table of these (`Table` beside each options group): its `--help`, its defaults and
/// its configuration come from them, and a value that does not parse names where it came from.
public struct Setting<Value: Sendable>: Sendable {
    /// The long flag, without its dashes.
    public let flag: String
    /// Read when the flag is not given.
    public let variable: String
    public let parser: ValueParser<Value>
    /// Used when neither the flag nor the variable is given; nil: the option is required.
    public let defaultValue: Value?
    public let help: String

    public init(
        _ flag: String, _ variable: String, _ parser: ValueParser<Value>, default defaultValue: Value?, help: String
    ) {
        self.flag = flag
        self.variable = variable
        self.parser = parser
        self.defaultValue = defaultValue
        self.help = help
    }

    /// What `--help` says: the help, the variable and the default.
    public var argumentHelp: ArgumentHelp {
        let shown = defaultValue.map { parser.format($0) }.map { $0.isEmpty ? "default: empty" : "default: \($0)" }
        return ArgumentHelp("\(help) (env: \(variable), \(shown ?? "required"))", valueName: parser.valueName)
    }

    /// The flag's value (`given`, as the command line gave it), else the variable's, else the default.
    public func value(given: String?, environment: Environment) throws(ConfigurationError) -> Value {
        let text: String
        let source: String
        if let flagValue = given {
            (text, source) = (flagValue, "--\(flag)")
        } else if let variableValue = environment[variable], !variableValue.isEmpty {
            (text, source) = (variableValue, variable)
        } else if let defaultValue {
            return defaultValue
        } else {
            throw ConfigurationError(description: "\(variable) is not set (nor --\(flag)): \(help)")
        }
        do {
            return try parser.parse(text)
        } catch {
            throw ConfigurationError(description: "\(source): \(error.reason). \(help)")
        }
    }
}

/// Reads options, each from its flag, its environment variable or its default.
public struct SettingReader {
    public let environment: Environment

    public init(environment: Environment) {
        self.environment = environment
    }

    /// `setting`'s value; `flag` is what the command line gave for it.
    public func callAsFunction<Value>(_ setting: Setting<Value>, _ flag: String?) throws(ConfigurationError) -> Value {
        try setting.value(given: flag, environment: environment)
    }
}

/// A value that does not parse, or a required one that is missing, and where it came from.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

extension Option where Value == String? {
    /// The option a table row describes: its flag and help come from the row, and its text is
    /// parsed with the row's parser once the environment is known.
    public init<Parsed>(_ setting: Setting<Parsed>) {
        self.init(name: .customLong(setting.flag), help: setting.argumentHelp)
    }
}
