import Foundation

/// CPU time the whole machine spent busy (user, nice, system, irq, softirq; not idle, I/O wait or
/// steal), from Linux's `/proc/stat`. A benchmark's database, clients and servers share the
/// machine, so CPU per event counts all of their work, and a neighbour's steal does not inflate it
/// the way it slows a rate.
enum MachineCPU {
    /// Busy seconds since boot, or `nil` where `/proc/stat` is missing.
    static func busySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 7 else { return nil }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
