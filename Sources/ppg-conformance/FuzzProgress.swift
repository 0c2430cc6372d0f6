import Foundation
import PPGConformance

/// Runs, runs/s and disagreements so far, on stderr when it is a terminal.
final class FuzzProgress: Sendable {
    private let enabled: Bool
    private let started = Date()

    init(enabled: Bool) { self.enabled = enabled }

    func update(runs: Int, found: Int) {
        guard enabled else { return }
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        Console.status(
            "  \(runs) runs, \(Int(Double(runs) / elapsed)) runs/s, \(counted(found, "disagreement")) so far")
    }

    func finish() {
        if enabled { Console.status("") }
    }
}
