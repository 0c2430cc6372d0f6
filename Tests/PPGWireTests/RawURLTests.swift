import PPGWire
import Testing

@Suite("Raw URLs")
struct RawURLTests {
    @Test(
        "parts are split byte for byte, with no normalisation",
        arguments: [
            ("https://Example.COM:443/a%2Fb/?q=1+2", "https", "Example.COM", "443", "/a%2Fb/", "q=1+2"),
            ("http://[::1]:8080/h", "http", "[::1]", "8080", "/h", nil),
            ("https://u:p@host", "https", "host", nil, "", nil),
            ("https://host/h?#frag", "https", "host", nil, "/h", ""),
        ] as [(String, String, String, String?, String, String?)])
    func split(text: String, scheme: String, host: String, port: String?, path: String, query: String?) throws {
        let url = try #require(RawURL(text))
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.path == path)
        #expect(url.query == query)
        #expect(url.description == text.split(separator: "#", omittingEmptySubsequences: false)[0].description)
    }

    @Test("appending a query uses ? or & as needed")
    func appending() throws {
        let url = try #require(RawURL("https://h/p"))
        #expect(url.appendingQuery("a=1").description == "https://h/p?a=1")
        #expect(url.appendingQuery("a=1").appendingQuery("b=2").description == "https://h/p?a=1&b=2")
        #expect(url.appendingQuery("").description == "https://h/p?")
        #expect(url.appendingQuery(nil).description == "https://h/p")
        #expect(RawURL("no-scheme") == nil)
    }
}

@Suite("Raw URL forms")
struct RawURLFormTests {
    @Test(
        "the default port is written out when absent and removed when written",
        arguments: [
            ("https://h/p?q", "https://h:443/p?q"), ("http://h", "http://h:80"), ("HTTPS://h:8443/p", "HTTPS://h/p"),
            ("http://[::1]:8080/h", "http://[::1]/h"), ("https://u@h/p", "https://u@h:443/p"),
        ])
    func togglingPort(text: String, toggled: String) throws {
        let url = try #require(RawURL(text))
        #expect(url.togglingDefaultPort().description == toggled)
        #expect(url.togglingDefaultPort().togglingDefaultPort().port == (url.port == nil ? nil : url.defaultPort))
    }

    @Test("origin, and the URL without its query")
    func parts() throws {
        let url = try #require(RawURL("https://u@Example.com:8443/a/b?x=1&y#frag"))
        #expect(url.origin == "https://u@Example.com:8443")
        #expect(url.withoutQuery.description == "https://u@Example.com:8443/a/b")
        #expect(try #require(RawURL("https://h/p?")).withoutQuery.description == "https://h/p")
    }

    @Test(
        "absolute-form targets are told from origin-form ones, and reduced to their origin-form",
        arguments: [
            ("HTTP://h:1/p?q", true, "/p?q"), ("https://h", true, "/"), ("https://h?q=1", true, "/?q=1"),
            ("/p?q", false, "/p?q"), ("*", false, "*"), ("ftp://h/p", false, "/p"), ("http:/p", false, "http:/p"),
        ])
    func targets(target: String, absolute: Bool, origin: String) {
        #expect(RawURL.isAbsoluteForm(target) == absolute)
        #expect(RawURL.originForm(ofTarget: target) == origin)
    }
}

@Suite("RawURL rules over every case of a scheme")
struct RawURLSchemeCaseTests {
    /// Every way to write a scheme in capitals and small letters.
    static func spellings(_ scheme: String) -> [String] {
        let letters = Array(scheme)
        return (0..<(1 << letters.count)).map { mask in
            String(
                letters.enumerated().map {
                    mask & (1 << $0.offset) != 0 ? Character($0.element.uppercased()) : $0.element
                })
        }
    }

    @Test("the default port depends on the scheme without case, and toggling it twice gives the URL back")
    func defaultPortIgnoresCase() throws {
        for (scheme, port) in [("http", "80"), ("https", "443")] {
            for spelling in Self.spellings(scheme) {
                for written in [nil, port, "8443"] {
                    let text = spelling + "://Hooks.Example.com" + (written.map { ":" + $0 } ?? "") + "/ppg/webhook?a=1"
                    let url = try #require(RawURL(text), "\(text)")
                    #expect(url.scheme == spelling, "the scheme is kept as written: \(text)")
                    #expect(url.defaultPort == port, "\(text)")
                    #expect(url.connectPort == Int(written ?? port), "a client connects to: \(text)")
                    #expect(url.isHTTPS == (scheme == "https"), "\(text)")
                    #expect(url.otherScheme == (scheme == "https" ? "http" : "https"), "\(text)")
                    #expect(url.description == text, "\(text)")
                    let toggled = url.togglingDefaultPort()
                    #expect(toggled.port == (written == nil ? port : nil), "\(text)")
                    #expect(toggled.togglingDefaultPort().port == (written == nil ? nil : port), "\(text)")
                    #expect(RawURL.isAbsoluteForm(text), "\(text)")
                }
            }
        }
    }

    @Test("a request-target is valid exactly when each byte is allowed or starts a two-hex-digit escape")
    func requestTargetRule() {
        var random = SystemRandomNumberGenerator()
        let allowed = Set("abcXYZ019-._~!$&'()*+,;=:@/?[]".utf8)
        let alphabet = Array(allowed) + Array("% \"<>\\^`{|}#\u{7F}zZ".utf8) + [0x01, 0xC3, 0xA9]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }
            var valid = true
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "%") {
                    let hex = Set("0123456789abcdefABCDEF".utf8)
                    if index + 2 < bytes.count, hex.contains(bytes[index + 1]), hex.contains(bytes[index + 2]) {
                        index += 3
                        continue
                    }
                    valid = false
                    break
                }
                if !allowed.contains(bytes[index]) && !(bytes[index] >= 0x61 && bytes[index] <= 0x7A)
                    && !(bytes[index] >= 0x41 && bytes[index] <= 0x5A)
                    && !(bytes[index] >= 0x30 && bytes[index] <= 0x39)
                {
                    valid = false
                    break
                }
                index += 1
            }
            let text = String(decoding: bytes, as: UTF8.self)
            // Bytes that are not UTF-8 become U+FFFD in a String, which is not allowed either.
            guard Array(text.utf8) == bytes else { continue }
            #expect(RawURL.isValidRequestTarget(text) == valid, "\(text)")
        }
        #expect(!RawURL.isValidRequestTarget("/ppg/webhook?z=%zz"))
        #expect(!RawURL.isValidRequestTarget("/ppg/webhook?z=%"))
        #expect(!RawURL.isValidRequestTarget("/ppg/webhook?z=%a"))
        #expect(RawURL.isValidRequestTarget("/ppg/webhook?e=%C3%A9&q=a+b&t=~"))
        #expect(RawURL.isValidRequestTarget("http://[::1]:8080/ppg/webhook"))
    }
}
