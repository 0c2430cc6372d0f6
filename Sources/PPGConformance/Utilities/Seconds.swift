import Foundation

/// A duration in seconds, as reports write them.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Seconds since 1970, for a report's timestamp.
func wallClockSeconds() -> Double {
    Date().timeIntervalSince1970
}
