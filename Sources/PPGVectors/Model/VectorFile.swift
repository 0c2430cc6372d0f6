/// The kinds of vector file.
public enum VectorKind: String, Sendable, Codable, CaseIterable {
    case digest, signature, receiver
}

/// One vector file: a category of vectors of one kind.
public struct VectorFile<Vector: Sendable & Codable>: Sendable, Codable {
    /// The file format; this loader reads format 1.
    public var format: Int
    /// What kind it is.
    public var kind: VectorKind
    /// The category; every id in the file starts with it and a `/`.
    public var category: String
    /// What the category covers.
    public var description: String
    /// The file's vectors, in order.
    public var vectors: [Vector]
}

/// A vector with the file and category it came from.
public struct Located<Vector: Sendable>: Sendable {
    /// The vector.
    public var vector: Vector
    /// The file's path relative to the corpus directory.
    public var file: String
    /// The category, the first part of the id.
    public var category: String

    /// A vector as if loaded from a file of a corpus (a generated one, for a run).
    package init(vector: Vector, file: String, category: String) {
        self.vector = vector
        self.file = file
        self.category = category
    }
}

/// A loaded, validated corpus.
public struct Corpus: Sendable {
    /// The directory the corpus was loaded from.
    public var directory: String
    /// The corpus manifest.
    public var manifest: Manifest
    /// Digest vectors, in file order.
    public var digestVectors: [Located<DigestVector>] = []
    /// Signature vectors, in file order.
    public var signatureVectors: [Located<SignatureVector>] = []
    /// Receiver vectors, in file order.
    public var receiverVectors: [Located<ReceiverVector>] = []
    /// Each vector file's description, by its path relative to the corpus directory.
    public var fileDescriptions: [String: String] = [:]

    /// Creates a corpus from vectors already loaded, e.g. a subset of another.
    /// - Parameters:
    ///   - directory: Where it came from.
    ///   - manifest: Its manifest.
    ///   - digestVectors: Digest vectors.
    ///   - signatureVectors: Signature vectors.
    ///   - receiverVectors: Receiver vectors.
    public init(
        directory: String, manifest: Manifest, digestVectors: [Located<DigestVector>] = [],
        signatureVectors: [Located<SignatureVector>] = [], receiverVectors: [Located<ReceiverVector>] = []
    ) {
        self.directory = directory
        self.manifest = manifest
        self.digestVectors = digestVectors
        self.signatureVectors = signatureVectors
        self.receiverVectors = receiverVectors
    }

    /// The file format this loader reads.
    public static let supportedFormat = 1

    /// Every category, in file order.
    public var categories: [String] {
        var seen: Set<String> = []
        let all = digestVectors.map(\.category) + signatureVectors.map(\.category) + receiverVectors.map(\.category)
        return all.filter { seen.insert($0).inserted }
    }
}
