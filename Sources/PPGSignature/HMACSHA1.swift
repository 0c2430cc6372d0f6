/// HMAC-SHA1 (RFC 2104) with the key's inner and outer pad states computed once, so that signing many messages
/// with one key costs only the message blocks and one outer block each.
public struct HMACSHA1: Sendable {
    @usableFromInline let inner: SHA1
    @usableFromInline let outer: SHA1

    /// Prepares a key. Keys longer than one block (64 bytes) are hashed first, as RFC 2104 requires.
    /// - Parameter key: The key bytes; for `X-PPG-Signature`, the UTF-8 bytes of the projectId.
    public init(key: some Sequence<UInt8>) {
        var keyBlock = [UInt8](key)
        if keyBlock.count > SHA1.blockByteCount {
            keyBlock = SHA1.hash(keyBlock).bytes
        }
        keyBlock += [UInt8](repeating: 0, count: SHA1.blockByteCount - keyBlock.count)
        var inner = SHA1()
        inner.update(keyBlock.map { $0 ^ 0x36 })
        var outer = SHA1()
        outer.update(keyBlock.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// Prepares a key given as text.
    /// - Parameter key: The key; its UTF-8 bytes are used.
    public init(key: String) {
        self.init(key: key.utf8)
    }

    /// Computes the authentication code of one message.
    /// - Parameter message: The message bytes.
    /// - Returns: The 20-byte code.
    @inlinable
    public func authenticationCode(for message: some Sequence<UInt8>) -> SHA1.Digest {
        var hasher = inner
        hasher.update(message)
        return finish(hasher)
    }

    /// Computes the authentication code of one message in raw memory.
    /// - Parameter message: The message bytes.
    /// - Returns: The 20-byte code.
    @inlinable
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> SHA1.Digest {
        var hasher = inner
        hasher.update(message)
        return finish(hasher)
    }

    @usableFromInline
    func finish(_ hasher: consuming SHA1) -> SHA1.Digest {
        let innerDigest = hasher.finalize()
        var outerHasher = outer
        innerDigest.withUnsafeBytes { outerHasher.update($0) }
        return outerHasher.finalize()
    }
}
