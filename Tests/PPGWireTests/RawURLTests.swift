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
