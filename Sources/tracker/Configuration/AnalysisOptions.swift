import ArgumentParser
import TrackerConfiguration

/// Options the worker and the query API share for the analysis endpoints.
struct AnalysisOptions: ParsableArguments {
    enum Table {
        static let breakdownProperties = Setting<[String]>(
            "breakdown-properties", "TRACKER_BREAKDOWN_PROPERTIES", .names(valueName: "property,…"), default: [],
            help:
                "Comma-separated top-level properties whose values the workers count per event, for fast breakdowns; "
                + "others are counted from the events, 31 days at most. Give workers and the query API the same list.")
    }

    @Option(Table.breakdownProperties) var breakdownProperties: String?

    func properties(environment: Environment) throws(ConfigurationError) -> [String] {
        try SettingReader(environment: environment)(Table.breakdownProperties, breakdownProperties)
    }
}
