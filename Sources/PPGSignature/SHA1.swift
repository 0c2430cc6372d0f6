/// SHA-1 as specified in FIPS 180-4, written for throughput: no allocation per block, a 16-word ring schedule
/// and wrapping arithmetic.
///
/// SHA-1 is broken for collision resistance; HMAC-SHA1 is not, and PushPushGo's `X-PPG-Signature` uses it.
public struct SHA1: Sendable {
    /// The length of a digest in bytes.
    public static let digestByteCount = 20
    /// The length of a block in bytes.
    public static let blockByteCount = 64

    @usableFromInline var state: (UInt32, UInt32, UInt32, UInt32, UInt32)
    /// Bytes waiting for a full block; a tuple so that copying a hasher never allocates.
    @usableFromInline var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    @usableFromInline var pendingCount: Int
    @usableFromInline var totalCount: UInt64

    /// Creates a hasher in the initial state.
    public init() {
        state = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        pending = (0, 0, 0, 0, 0, 0, 0, 0)
        pendingCount = 0
        totalCount = 0
    }

    /// Hashes `bytes` in one call.
    /// - Parameter bytes: The message.
    /// - Returns: The 20-byte digest.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Digest {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs more of the message.
    /// - Parameter bytes: The next bytes of the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Absorbs more of the message from raw memory.
    /// - Parameter buffer: The next bytes of the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress, buffer.count > 0 else { return }
        var remaining = buffer.count
        totalCount &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(Self.blockByteCount - pendingCount, remaining)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) { block in
                (block.baseAddress.unsafelyUnwrapped + offset).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            guard pendingCount == Self.blockByteCount else { return }
            let copy = pending
            withUnsafeBytes(of: copy) { block in
                Self.compress(&state, block.baseAddress.unsafelyUnwrapped)
            }
            pendingCount = 0
        }
        while remaining >= Self.blockByteCount {
            Self.compress(&state, base)
            base += Self.blockByteCount
            remaining -= Self.blockByteCount
        }
        if remaining > 0 {
            let take = remaining
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress.unsafelyUnwrapped.copyMemory(from: base, byteCount: take)
            }
            pendingCount = take
        }
    }

    /// Pads the message and returns its digest. The hasher is consumed.
    /// - Returns: The 20-byte digest.
    public consuming func finalize() -> Digest {
        let bitLength = totalCount &* 8
        var block = pending
        let count = pendingCount
        withUnsafeMutableBytes(of: &block) { bytes in
            bytes[count] = 0x80
            for index in (count + 1)..<Self.blockByteCount { bytes[index] = 0 }
        }
        if count >= 56 {
            withUnsafeBytes(of: block) { Self.compress(&state, $0.baseAddress.unsafelyUnwrapped) }
            block = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        block.7 = bitLength.bigEndian
        withUnsafeBytes(of: block) { Self.compress(&state, $0.baseAddress.unsafelyUnwrapped) }
        return Digest(words: state)
    }

    @inline(__always)
    static func rotl(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value << count) | (value >> (32 &- count))
    }

    /// One compression of the 64-byte block at `block` into `state`: 80 rounds unrolled with the working
    /// variables renamed instead of moved, and the schedule in a 16-word ring of locals (generated code; the
    /// pattern is FIPS 180-4 §6.1.2 written out).
    @usableFromInline
    static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawPointer) {
        @inline(__always) func load(_ index: Int) -> UInt32 {
            UInt32(bigEndian: block.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
        }
        var w0 = load(0)
        var w1 = load(1)
        var w2 = load(2)
        var w3 = load(3)
        var w4 = load(4)
        var w5 = load(5)
        var w6 = load(6)
        var w7 = load(7)
        var w8 = load(8)
        var w9 = load(9)
        var w10 = load(10)
        var w11 = load(11)
        var w12 = load(12)
        var w13 = load(13)
        var w14 = load(14)
        var w15 = load(15)
        var a = state.0, b = state.1, c = state.2, d = state.3, e = state.4
        e = e &+ rotl(a, 5) &+ (d ^ (b & (c ^ d))) &+ 0x5A82_7999 &+ w0
        b = rotl(b, 30)
        d = d &+ rotl(e, 5) &+ (c ^ (a & (b ^ c))) &+ 0x5A82_7999 &+ w1
        a = rotl(a, 30)
        c = c &+ rotl(d, 5) &+ (b ^ (e & (a ^ b))) &+ 0x5A82_7999 &+ w2
        e = rotl(e, 30)
        b = b &+ rotl(c, 5) &+ (a ^ (d & (e ^ a))) &+ 0x5A82_7999 &+ w3
        d = rotl(d, 30)
        a = a &+ rotl(b, 5) &+ (e ^ (c & (d ^ e))) &+ 0x5A82_7999 &+ w4
        c = rotl(c, 30)
        e = e &+ rotl(a, 5) &+ (d ^ (b & (c ^ d))) &+ 0x5A82_7999 &+ w5
        b = rotl(b, 30)
        d = d &+ rotl(e, 5) &+ (c ^ (a & (b ^ c))) &+ 0x5A82_7999 &+ w6
        a = rotl(a, 30)
        c = c &+ rotl(d, 5) &+ (b ^ (e & (a ^ b))) &+ 0x5A82_7999 &+ w7
        e = rotl(e, 30)
        b = b &+ rotl(c, 5) &+ (a ^ (d & (e ^ a))) &+ 0x5A82_7999 &+ w8
        d = rotl(d, 30)
        a = a &+ rotl(b, 5) &+ (e ^ (c & (d ^ e))) &+ 0x5A82_7999 &+ w9
        c = rotl(c, 30)
        e = e &+ rotl(a, 5) &+ (d ^ (b & (c ^ d))) &+ 0x5A82_7999 &+ w10
        b = rotl(b, 30)
        d = d &+ rotl(e, 5) &+ (c ^ (a & (b ^ c))) &+ 0x5A82_7999 &+ w11
        a = rotl(a, 30)
        c = c &+ rotl(d, 5) &+ (b ^ (e & (a ^ b))) &+ 0x5A82_7999 &+ w12
        e = rotl(e, 30)
        b = b &+ rotl(c, 5) &+ (a ^ (d & (e ^ a))) &+ 0x5A82_7999 &+ w13
        d = rotl(d, 30)
        a = a &+ rotl(b, 5) &+ (e ^ (c & (d ^ e))) &+ 0x5A82_7999 &+ w14
        c = rotl(c, 30)
        e = e &+ rotl(a, 5) &+ (d ^ (b & (c ^ d))) &+ 0x5A82_7999 &+ w15
        b = rotl(b, 30)
        w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
        d = d &+ rotl(e, 5) &+ (c ^ (a & (b ^ c))) &+ 0x5A82_7999 &+ w0
        a = rotl(a, 30)
        w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
        c = c &+ rotl(d, 5) &+ (b ^ (e & (a ^ b))) &+ 0x5A82_7999 &+ w1
        e = rotl(e, 30)
        w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
        b = b &+ rotl(c, 5) &+ (a ^ (d & (e ^ a))) &+ 0x5A82_7999 &+ w2
        d = rotl(d, 30)
        w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
        a = a &+ rotl(b, 5) &+ (e ^ (c & (d ^ e))) &+ 0x5A82_7999 &+ w3
        c = rotl(c, 30)
        w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w4
        b = rotl(b, 30)
        w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w5
        a = rotl(a, 30)
        w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w6
        e = rotl(e, 30)
        w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w7
        d = rotl(d, 30)
        w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w8
        c = rotl(c, 30)
        w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w9
        b = rotl(b, 30)
        w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w10
        a = rotl(a, 30)
        w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w11
        e = rotl(e, 30)
        w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w12
        d = rotl(d, 30)
        w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w13
        c = rotl(c, 30)
        w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w14
        b = rotl(b, 30)
        w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w15
        a = rotl(a, 30)
        w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w0
        e = rotl(e, 30)
        w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w1
        d = rotl(d, 30)
        w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w2
        c = rotl(c, 30)
        w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0x6ED9_EBA1 &+ w3
        b = rotl(b, 30)
        w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0x6ED9_EBA1 &+ w4
        a = rotl(a, 30)
        w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0x6ED9_EBA1 &+ w5
        e = rotl(e, 30)
        w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0x6ED9_EBA1 &+ w6
        d = rotl(d, 30)
        w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0x6ED9_EBA1 &+ w7
        c = rotl(c, 30)
        w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
        e = e &+ rotl(a, 5) &+ ((b & c) | (d & (b | c))) &+ 0x8F1B_BCDC &+ w8
        b = rotl(b, 30)
        w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
        d = d &+ rotl(e, 5) &+ ((a & b) | (c & (a | b))) &+ 0x8F1B_BCDC &+ w9
        a = rotl(a, 30)
        w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
        c = c &+ rotl(d, 5) &+ ((e & a) | (b & (e | a))) &+ 0x8F1B_BCDC &+ w10
        e = rotl(e, 30)
        w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
        b = b &+ rotl(c, 5) &+ ((d & e) | (a & (d | e))) &+ 0x8F1B_BCDC &+ w11
        d = rotl(d, 30)
        w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
        a = a &+ rotl(b, 5) &+ ((c & d) | (e & (c | d))) &+ 0x8F1B_BCDC &+ w12
        c = rotl(c, 30)
        w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
        e = e &+ rotl(a, 5) &+ ((b & c) | (d & (b | c))) &+ 0x8F1B_BCDC &+ w13
        b = rotl(b, 30)
        w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
        d = d &+ rotl(e, 5) &+ ((a & b) | (c & (a | b))) &+ 0x8F1B_BCDC &+ w14
        a = rotl(a, 30)
        w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
        c = c &+ rotl(d, 5) &+ ((e & a) | (b & (e | a))) &+ 0x8F1B_BCDC &+ w15
        e = rotl(e, 30)
        w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
        b = b &+ rotl(c, 5) &+ ((d & e) | (a & (d | e))) &+ 0x8F1B_BCDC &+ w0
        d = rotl(d, 30)
        w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
        a = a &+ rotl(b, 5) &+ ((c & d) | (e & (c | d))) &+ 0x8F1B_BCDC &+ w1
        c = rotl(c, 30)
        w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
        e = e &+ rotl(a, 5) &+ ((b & c) | (d & (b | c))) &+ 0x8F1B_BCDC &+ w2
        b = rotl(b, 30)
        w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
        d = d &+ rotl(e, 5) &+ ((a & b) | (c & (a | b))) &+ 0x8F1B_BCDC &+ w3
        a = rotl(a, 30)
        w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
        c = c &+ rotl(d, 5) &+ ((e & a) | (b & (e | a))) &+ 0x8F1B_BCDC &+ w4
        e = rotl(e, 30)
        w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
        b = b &+ rotl(c, 5) &+ ((d & e) | (a & (d | e))) &+ 0x8F1B_BCDC &+ w5
        d = rotl(d, 30)
        w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
        a = a &+ rotl(b, 5) &+ ((c & d) | (e & (c | d))) &+ 0x8F1B_BCDC &+ w6
        c = rotl(c, 30)
        w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
        e = e &+ rotl(a, 5) &+ ((b & c) | (d & (b | c))) &+ 0x8F1B_BCDC &+ w7
        b = rotl(b, 30)
        w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
        d = d &+ rotl(e, 5) &+ ((a & b) | (c & (a | b))) &+ 0x8F1B_BCDC &+ w8
        a = rotl(a, 30)
        w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
        c = c &+ rotl(d, 5) &+ ((e & a) | (b & (e | a))) &+ 0x8F1B_BCDC &+ w9
        e = rotl(e, 30)
        w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
        b = b &+ rotl(c, 5) &+ ((d & e) | (a & (d | e))) &+ 0x8F1B_BCDC &+ w10
        d = rotl(d, 30)
        w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
        a = a &+ rotl(b, 5) &+ ((c & d) | (e & (c | d))) &+ 0x8F1B_BCDC &+ w11
        c = rotl(c, 30)
        w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w12
        b = rotl(b, 30)
        w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w13
        a = rotl(a, 30)
        w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w14
        e = rotl(e, 30)
        w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w15
        d = rotl(d, 30)
        w0 = rotl(w13 ^ w8 ^ w2 ^ w0, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w0
        c = rotl(c, 30)
        w1 = rotl(w14 ^ w9 ^ w3 ^ w1, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w1
        b = rotl(b, 30)
        w2 = rotl(w15 ^ w10 ^ w4 ^ w2, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w2
        a = rotl(a, 30)
        w3 = rotl(w0 ^ w11 ^ w5 ^ w3, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w3
        e = rotl(e, 30)
        w4 = rotl(w1 ^ w12 ^ w6 ^ w4, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w4
        d = rotl(d, 30)
        w5 = rotl(w2 ^ w13 ^ w7 ^ w5, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w5
        c = rotl(c, 30)
        w6 = rotl(w3 ^ w14 ^ w8 ^ w6, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w6
        b = rotl(b, 30)
        w7 = rotl(w4 ^ w15 ^ w9 ^ w7, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w7
        a = rotl(a, 30)
        w8 = rotl(w5 ^ w0 ^ w10 ^ w8, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w8
        e = rotl(e, 30)
        w9 = rotl(w6 ^ w1 ^ w11 ^ w9, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w9
        d = rotl(d, 30)
        w10 = rotl(w7 ^ w2 ^ w12 ^ w10, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w10
        c = rotl(c, 30)
        w11 = rotl(w8 ^ w3 ^ w13 ^ w11, 1)
        e = e &+ rotl(a, 5) &+ (b ^ c ^ d) &+ 0xCA62_C1D6 &+ w11
        b = rotl(b, 30)
        w12 = rotl(w9 ^ w4 ^ w14 ^ w12, 1)
        d = d &+ rotl(e, 5) &+ (a ^ b ^ c) &+ 0xCA62_C1D6 &+ w12
        a = rotl(a, 30)
        w13 = rotl(w10 ^ w5 ^ w15 ^ w13, 1)
        c = c &+ rotl(d, 5) &+ (e ^ a ^ b) &+ 0xCA62_C1D6 &+ w13
        e = rotl(e, 30)
        w14 = rotl(w11 ^ w6 ^ w0 ^ w14, 1)
        b = b &+ rotl(c, 5) &+ (d ^ e ^ a) &+ 0xCA62_C1D6 &+ w14
        d = rotl(d, 30)
        w15 = rotl(w12 ^ w7 ^ w1 ^ w15, 1)
        a = a &+ rotl(b, 5) &+ (c ^ d ^ e) &+ 0xCA62_C1D6 &+ w15
        c = rotl(c, 30)
        state.0 &+= a
        state.1 &+= b
        state.2 &+= c
        state.3 &+= d
        state.4 &+= e
    }
}

extension SHA1 {
    /// A SHA-1 digest: five big-endian words, kept unpacked so that producing one never allocates.
    public struct Digest: Sendable, Hashable {
        @usableFromInline let words: (UInt32, UInt32, UInt32, UInt32, UInt32)

        @usableFromInline init(words: (UInt32, UInt32, UInt32, UInt32, UInt32)) {
            self.words = words
        }

        /// The 20 digest bytes.
        public var bytes: [UInt8] {
            var result = [UInt8]()
            result.reserveCapacity(SHA1.digestByteCount)
            for word in [words.0, words.1, words.2, words.3, words.4] {
                result.append(UInt8(truncatingIfNeeded: word >> 24))
                result.append(UInt8(truncatingIfNeeded: word >> 16))
                result.append(UInt8(truncatingIfNeeded: word >> 8))
                result.append(UInt8(truncatingIfNeeded: word))
            }
            return result
        }

        /// Calls `body` with the 20 digest bytes in memory, without allocating.
        /// - Parameter body: A closure that reads the bytes.
        /// - Returns: What `body` returns.
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            let bigEndian = (
                words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian, words.4.bigEndian
            )
            return try Swift.withUnsafeBytes(of: bigEndian, body)
        }

        public static func == (lhs: Digest, rhs: Digest) -> Bool {
            lhs.words == rhs.words
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
            hasher.combine(words.4)
        }
    }
}
