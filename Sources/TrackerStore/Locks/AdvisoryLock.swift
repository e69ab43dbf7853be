/// Every advisory lock key the tracker takes, each named for what it excludes. The values never
/// change: replicas of an older version running beside this one take the same keys, and must keep
/// excluding each other.
enum AdvisoryLock {
    /// Held for the session by `tracker migrate` while it checks and applies migrations, so any
    /// number of runners started together apply each file exactly once.
    static let migrations: Int64 = 0x7472_6163_6B65_72  // "tracker"

    /// Held for a transaction around partition DDL (movers creating the days they need, the leader
    /// creating days ahead and dropping expired ones), so two never change one partition at once.
    static let partitions: Int64 = 0x7472_6B5F_7061_7274  // "trk_part"

    /// Held for a transaction by the leader's fold and by an erasure, so an erasure never runs
    /// between the fold's taking a person's pairs and its committing their weeks.
    static let activePeopleFold: Int64 = 0x7472_6B5F_7765_656B  // "trk_week"

    /// Held for the session by the maintenance leader's connection: whoever holds it leads, and a
    /// leader that dies or loses its connection frees it for another replica.
    static let leader: Int64 = 0x7472_6B5F_6C65_6164  // "trk_lead"

    /// Held shared by every move transaction, as two `int4` keys ("trk_", "move"), so a replica can
    /// count the moves other replicas have in flight in `pg_locks`.
    static let mover: (Int32, Int32) = (0x7472_6B5F, 0x6D6F_7665)
}
