import Synchronization

/// Results written by several threads into their own slots.
final class OutcomeSlots: Sendable {
    private let slots: Mutex<[VectorOutcome?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func set(_ index: Int, _ outcome: VectorOutcome) {
        slots.withLock { $0[index] = outcome }
    }

    /// The finished outcomes from the first on, up to the first slot still empty.
    func prefix() -> [VectorOutcome] {
        slots.withLock { slots in
            let end = slots.firstIndex(where: { $0 == nil }) ?? slots.count
            return slots[..<end].compactMap { $0 }
        }
    }
}
