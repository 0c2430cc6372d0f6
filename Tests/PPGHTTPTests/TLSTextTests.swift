import Testing

@testable import PPGHTTP

@Suite("TLS reasons")
struct TLSTextTests {
    // OpenSSL and the C shim write a reason into a zero-filled buffer, NUL-terminated, and may leave bytes from an
    // earlier, longer reason after the terminator: the reason is what comes before the first NUL, wherever it is.
    @Test("a reason read from a C buffer ends at its first NUL, whatever follows it")
    func reasonEndsAtFirstNUL() {
        let reason = Array("certificate verify failed".utf8).map { CChar(bitPattern: $0) }
        for length in 0...reason.count {
            for tail: [CChar] in [[], [0, 0, 0], [0, 1, 2, 0], [0, 65, 66]] {
                let buffer = Array(reason.prefix(length)) + tail + [CChar](repeating: 0, count: 8)
                #expect(text(buffer) == String(decoding: reason.prefix(length).map { UInt8($0) }, as: UTF8.self))
            }
        }
    }
}
