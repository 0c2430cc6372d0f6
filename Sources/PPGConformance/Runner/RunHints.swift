import PPGVectors

/// Hints a run adds to its warnings when the pattern of its outcomes says more than each failure does.
enum RunHints {
    /// A hint when every delivery that had to be accepted got 404 or 405: the URL's path or the method is wrong,
    /// not the signature check, and a report of failures would hide that.
    static func wrongAddressHint(_ outcomes: [VectorOutcome], target: any ConformanceTarget) -> String? {
        guard let routed = routeRefusals(outcomes) else { return nil }
        let statuses = routed.map(String.init).joined(separator: " or ")
        return "every delivery that must be accepted was answered \(statuses): is the path in \(target.name) the "
            + "receiver's webhook route, and does that route take POST?"
    }

    /// The statuses seen, in order, when at least three deliveries that had to be accepted were answered and every
    /// answer was 404 or 405 — a router's refusal, before any verifier; `nil` otherwise. Unanswered deliveries say
    /// nothing about the route and are not counted. The run's hint and the settings probe both go by this.
    static func routeRefusals(_ outcomes: [VectorOutcome]) -> [Int]? {
        let mustAccept = outcomes.flatMap { $0.exchanges.filter { $0.expected == .accept } }.compactMap(\.status)
        guard mustAccept.count >= 3, mustAccept.allSatisfy({ $0 == 404 || $0 == 405 }) else { return nil }
        return Set(mustAccept).sorted()
    }

    /// What refusals of requests PushPushGo never sends say about the receiver's reading (SPEC.md R10.2): a valid
    /// delivery to a path variant, in absolute-form or with a foreign `Host`, refused by the handler (401/403), conforms,
    /// but shows that the receiver signs what it received or refuses every path but its own.
    static func requestTargetHint(_ outcomes: [VectorOutcome]) -> String? {
        let refused = outcomes.filter { outcome in
            outcome.status == .pass && outcome.exchanges.count == 1 && outcome.exchanges[0].expected == .either
                && [401, 403].contains(outcome.exchanges[0].status ?? 0)
                && !Set(outcome.flags).isDisjoint(with: ["RequestTarget", "AbsoluteForm", "HostHeader"])
        }
        // Only where valid deliveries to the webhook's own path were accepted: otherwise every one was refused
        // anyway, and the refusals say nothing about other paths.
        let acceptedOwn = outcomes.contains { outcome in
            outcome.exchanges.contains { $0.expected == .accept && (200...299).contains($0.status ?? 0) }
        }
        guard !refused.isEmpty, acceptedOwn else { return nil }
        return "hint, not a failure: \(Diagnosis.list(refused.map(\.id))) — valid deliveries PushPushGo never sends "
            + "(another path, authority or Host) — were refused with 401/403: the receiver either refuses every path "
            + "but its own (fine) or signs the path or Host it received, which breaks every delivery once a proxy "
            + "rewrites them; sign the configured URL (SPEC.md R10.2)"
    }
}
