import ArgumentParser

@main
struct Tracker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker",
        abstract: "A self-hosted user-activity event pipeline on PostgreSQL.",
        discussion: """
            Every option can also be set by the environment variable named in its help. Flags win over
            the environment; an empty variable counts as unset. A value that does not parse stops the
            command with exit code 2 and a message naming the variable or flag.
            """,
        subcommands: [
            MigrateCommand.self, CollectorCommand.self, WorkerCommand.self, QueryCommand.self, AllCommand.self,
            ProbeCommand.self,
        ]
    )
}
