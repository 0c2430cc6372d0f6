import PPGVectors

/// One vector the run will take, before it runs.
public struct PlannedVector: Sendable {
    /// The vector to run, by kind.
    public enum Work: Sendable {
        case digest(DigestVector)
        case signature(SignatureVector)
        case receiver(ReceiverVector)
    }

    /// The stable id, `category/name`.
    public var id: String
    /// The category, the first part of the id.
    public var category: String
    /// What kind it is.
    public var kind: VectorKind
    /// What to run.
    public var work: Work
    /// Set when the vector will be recorded as skipped.
    public var skipReason: String?
    /// A receiver vector's deliveries, built once when planning (its skip reason needs them) and sent as built.
    var deliveries: [Delivery]? = nil
}
