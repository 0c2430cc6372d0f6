import Foundation
import TestSupport
import Testing

/// https targets through the project's own client over TLS, against a Python `ssl` receiver (the example receiver
/// wrapped in TLS) with certificates made in the test by the `openssl` command.
@Suite(
    "https targets",
    .enabled(if: TestSupport.hasPython && TestSupport.hasOpenSSL, "python3 and openssl are needed for a TLS peer"))
struct HTTPSTests {
    static let wrapper = """
        import argparse, ssl, sys
        sys.path.insert(0, sys.argv[1])
        import receiver
        from http.server import ThreadingHTTPServer
        cert, key = sys.argv[2], sys.argv[3]
        receiver.Handler.config = argparse.Namespace(project_id="example-project", scheme="url-params",
            encoding="hex", host="127.0.0.1", port=0, public_url=None)
        server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        port = server.server_address[1]
        receiver.Handler.config.public_url = f"https://127.0.0.1:{port}/ppg/webhook"
        print(f"listening on https://127.0.0.1:{port}", flush=True)
        server.serve_forever()
        """

    /// A self-signed certificate and key in `directory`, for the given subject alternative names.
    func certificate(_ directory: String, names: String) throws {
        let made = try TestSupport.run(
            try #require(TestSupport.which("openssl")),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem", "-out",
                directory + "/cert.pem", "-days", "1", "-subj", "/CN=ppg-test", "-addext", "subjectAltName=\(names)",
            ])
        try #require(made.status == 0, "\(made.stderr)")
    }

    func tlsReceiver(_ directory: String) throws -> ListeningProcess {
        try TestSupport.write(Self.wrapper, to: directory + "/tls.py")
        return try ListeningProcess(
            executable: try #require(TestSupport.which("python3")),
            arguments: [
                directory + "/tls.py", TestSupport.packageRoot + "/Examples/python", directory + "/cert.pem",
                directory + "/key.pem",
            ])
    }

    /// A run trusting the directory's certificate is refused before anything is sent: one line with the reason.
    func expectRefused(_ directory: String, saying reason: String, host: String = "127.0.0.1") throws {
        let receiver = try tlsReceiver(directory)
        defer { _ = receiver.stop(SIGKILL) }
        let result = try TestSupport.tool([
            "run", "--target", "https://\(host):\(receiver.port)/ppg/webhook", "--project-id", "example-project",
            "--cacert", directory + "/cert.pem",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Each vector's status in a JSON report.
    func statuses(_ path: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outcomes = try #require(report["outcomes"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: outcomes.compactMap { outcome in
                (outcome["id"] as? String).map { ($0, outcome["status"] as? String ?? "") }
            })
    }

    @Test("the whole corpus over https gives the outcomes it gives over http, none skipped for being https")
    func sameAsHTTP() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1,DNS:localhost")
        let https = try tlsReceiver(directory)
        defer { _ = https.stop(SIGKILL) }
        let http = try ListeningProcess(
            executable: try #require(TestSupport.which("python3")),
            arguments: [
                TestSupport.packageRoot + "/Examples/python/receiver.py", "--project-id", "example-project", "--port",
                "0",
            ])
        defer { _ = http.stop(SIGKILL) }
        let overTLS = try TestSupport.tool([
            "run", "--target", "https://127.0.0.1:\(https.port)/ppg/webhook", "--project-id", "example-project",
            "--cacert", directory + "/cert.pem", "--json", directory + "/https.json",
        ])
        #expect(overTLS.status == 0, "\(overTLS.stdout.suffix(800))\(overTLS.stderr)")
        _ = try TestSupport.tool([
            "run", "--target", http.url, "--project-id", "example-project", "--json", directory + "/http.json",
        ])
        let tls = try statuses(directory + "/https.json")
        let plain = try statuses(directory + "/http.json")
        #expect(!tls.isEmpty && tls == plain)
        #expect(!overTLS.stdout.contains("URLSession"))
    }

    /// A TLS peer that answers every request 401 and logs, per request, the SNI name the client sent (`-` for
    /// none), the ALPN protocol agreed and the TLS version; `tls1.1` limits it to TLS 1.1 (at OpenSSL security level
    /// 0, which permits it).
    static let handshakeRecorder = """
        import http.server, ssl, sys, warnings
        warnings.simplefilter("ignore")  # TLS 1.1 is deprecated: that is the point
        cert, key, log, limit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
        names = []
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with open(log, "a") as out:
                    name = names[-1] if names else "-"
                    out.write(f"{name} {self.request.selected_alpn_protocol()} {self.request.version()}\\n")
                self.send_response(401)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            do_POST = do_GET = do_PUT = do_HEAD = answer
            def log_message(self, *arguments):
                pass
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.set_alpn_protocols(["http/1.1"])
        context.sni_callback = lambda connection, name, _: names.append(name or "-")
        if limit == "tls1.1":
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_1
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(f"listening on https://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()
        """

    func handshakeRecorder(_ directory: String, limit: String = "none") throws -> ListeningProcess {
        try TestSupport.write(Self.handshakeRecorder, to: directory + "/recorder.py")
        return try ListeningProcess(
            executable: try #require(TestSupport.which("python3")),
            arguments: [
                directory + "/recorder.py", directory + "/cert.pem", directory + "/key.pem", directory + "/log.txt",
                limit,
            ])
    }

    @Test("the client names a host by SNI (never an address), offers ALPN http/1.1 and speaks TLS 1.2 or later")
    func handshake() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1,DNS:localhost")
        let peer = try handshakeRecorder(directory)
        defer { _ = peer.stop(SIGKILL) }
        var outputs = ""
        for host in ["localhost", "127.0.0.1"] {
            let result = try TestSupport.tool([
                "run", "--target", "https://\(host):\(peer.port)/ppg/webhook", "--project-id", "p",
                "--cacert", directory + "/cert.pem", "--only", "headers/missing", "--no-probe",
            ])
            outputs += result.stdout + result.stderr
        }
        let log = try #require(try? String(contentsOfFile: directory + "/log.txt", encoding: .utf8), "\(outputs)")
        let lines = log.split(separator: "\n")
        try #require(lines.count >= 2, "\(lines)")
        let byName = lines.filter { $0.hasPrefix("localhost ") }
        let byAddress = lines.filter { $0.hasPrefix("- ") }
        #expect(!byName.isEmpty && !byAddress.isEmpty, "\(lines)")
        #expect(byName.count + byAddress.count == lines.count, "an address was sent as SNI: \(lines)")
        for line in lines {
            let fields = line.split(separator: " ")
            #expect(fields.count == 3 && fields[1] == "http/1.1", "\(line)")
            #expect(fields.last == "TLSv1.2" || fields.last == "TLSv1.3", "\(line)")
        }
    }

    @Test("a server that speaks only TLS 1.1 is refused in one line, before anything is sent")
    func belowTLS12() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1")
        let peer = try handshakeRecorder(directory, limit: "tls1.1")
        defer { _ = peer.stop(SIGKILL) }
        let result = try TestSupport.tool([
            "run", "--target", "https://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", "p",
            "--cacert", directory + "/cert.pem",
        ])
        #expect(result.status == 2, "\(result.stdout.suffix(400))")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("protocol version"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/log.txt"), "a request reached a TLS 1.1 server")
    }

    @Test("a self-signed certificate: one line and exit 2 without --insecure or --cacert; --insecure runs, said once")
    func selfSigned() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1")
        let receiver = try tlsReceiver(directory)
        defer { _ = receiver.stop(SIGKILL) }
        let url = "https://127.0.0.1:\(receiver.port)/ppg/webhook"
        let refused = try TestSupport.tool(["run", "--target", url, "--project-id", "example-project"])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("certificate verification failed: self-signed certificate"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        let insecure = try TestSupport.tool([
            "run", "--target", url, "--project-id", "example-project", "--insecure", "--only", "events/*",
        ])
        #expect(insecure.status == 0, "\(insecure.stderr)")
        #expect(insecure.stderr.components(separatedBy: "--insecure").count == 2)
        let load = try TestSupport.tool([
            "load", "--target", url, "--project-id", "example-project", "--insecure", "--requests", "200",
            "--connections", "4",
        ])
        #expect(load.status == 0, "\(load.stdout.suffix(400))")
        #expect(load.stdout.contains("wrong verdicts: 0"))
    }

    @Test("a certificate for another host name is refused in one line with the reason")
    func wrongHostname() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "DNS:other.example")
        try expectRefused(directory, saying: "certificate verification failed")
    }

    @Test(
        "an expired certificate is refused in one line with the reason",
        .enabled(
            if: (try? TestSupport.run(TestSupport.which("python3") ?? "/", ["-c", "import cryptography"]))?.status == 0,
            "python3's cryptography package is needed to make an expired certificate"))
    func expired() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = """
            import datetime, ipaddress, sys
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "ppg-test")])
            now = datetime.datetime.now(datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(now - datetime.timedelta(days=10))
                .not_valid_after(now - datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                               critical=False)
                .sign(key, hashes.SHA256()))
            open(sys.argv[1] + "/cert.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
            open(sys.argv[1] + "/key.pem", "wb").write(key.private_bytes(serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            """
        try TestSupport.write(script, to: directory + "/make.py")
        let made = try TestSupport.run(try #require(TestSupport.which("python3")), [directory + "/make.py", directory])
        try #require(made.status == 0, "\(made.stderr)")
        try expectRefused(directory, saying: "certificate has expired")
    }

    @Test("a certificate with only a CN and no subjectAltName is refused: names match SANs only (RFC 6125 §6.4.4)")
    func commonNameOnly() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try TestSupport.run(
            try #require(TestSupport.which("openssl")),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem", "-out",
                directory + "/cert.pem", "-days", "1", "-subj", "/CN=localhost",
            ])
        try #require(made.status == 0, "\(made.stderr)")
        try expectRefused(directory, saying: "certificate verification failed", host: "localhost")
    }

    @Test("--cacert takes the CA that issued the server's certificate, or that certificate itself")
    func issuedByCA() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = try #require(TestSupport.which("openssl"))
        for step in [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca-key.pem", "-out",
                directory + "/ca.pem", "-days", "1", "-subj", "/CN=ppg-test-ca",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem", "-out",
                directory + "/leaf.csr", "-subj", "/CN=ppg-test-leaf",
            ],
            [
                "x509", "-req", "-in", directory + "/leaf.csr", "-CA", directory + "/ca.pem", "-CAkey",
                directory + "/ca-key.pem", "-CAcreateserial", "-out", directory + "/cert.pem", "-days", "1",
                "-extfile", directory + "/san.cnf",
            ],
        ] {
            try TestSupport.write("subjectAltName=IP:127.0.0.1\n", to: directory + "/san.cnf")
            let made = try TestSupport.run(openssl, step)
            try #require(made.status == 0, "\(made.stderr)")
        }
        let receiver = try tlsReceiver(directory)
        defer { _ = receiver.stop(SIGKILL) }
        for trusted in ["ca.pem", "cert.pem"] {
            let result = try TestSupport.tool([
                "run", "--target", "https://127.0.0.1:\(receiver.port)/ppg/webhook", "--project-id", "example-project",
                "--cacert", directory + "/" + trusted, "--only", "events/*",
            ])
            #expect(result.status == 0, "--cacert \(trusted): \(result.stderr)")
        }
    }

    @Test("a close-delimited answer ended without TLS close_notify is an answer, with or without --insecure")
    func closeDelimitedWithoutCloseNotify() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1")
        // Answers 401 with no Content-Length, then closes the TCP connection without a TLS close_notify.
        let script = """
            import socket, ssl, sys
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1] + "/cert.pem", sys.argv[1] + "/key.pem")
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            print(f"listening on https://127.0.0.1:{listener.getsockname()[1]}", flush=True)
            while True:
                raw, _ = listener.accept()
                try:
                    tls = context.wrap_socket(raw, server_side=True)
                    data = b""
                    while b"\\r\\n\\r\\n" not in data:
                        piece = tls.recv(65536)
                        if not piece: break
                        data += piece
                    tls.sendall(b"HTTP/1.1 401 Unauthorized\\r\\nContent-Type: text/plain\\r\\n\\r\\nno signature")
                    # shutdown() on the TLS socket closes TCP without close_notify (unwrap() would send one).
                    tls.shutdown(socket.SHUT_RDWR)
                    tls.close()
                except Exception:
                    raw.close()
            """
        try TestSupport.write(script, to: directory + "/peer.py")
        let peer = try ListeningProcess(
            executable: try #require(TestSupport.which("python3")), arguments: [directory + "/peer.py", directory])
        defer { _ = peer.stop(SIGKILL) }
        let url = "https://127.0.0.1:\(peer.port)/ppg/webhook"
        for trust in [["--insecure"], ["--cacert", directory + "/cert.pem"]] {
            let json = directory + "/report.json"
            let result = try TestSupport.tool(
                ["run", "--target", url, "--project-id", "p", "--only", "headers/missing", "--json", json] + trust)
            #expect(result.status == 0, "\(trust): \(result.stdout.suffix(600)) \(result.stderr)")
            #expect(try statuses(json)["headers/missing"] == "pass")
            #expect(!result.stdout.contains("certificate verification failed"))
        }
    }

    @Test("a libssl or libcrypto beside the executable is never loaded: the system's pair is, by absolute path")
    func librariesBesideTheExecutable() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try certificate(directory, names: "IP:127.0.0.1")
        let receiver = try tlsReceiver(directory)
        defer { _ = receiver.stop(SIGKILL) }
        // The binary's RUNPATH holds $ORIGIN: a bare-name dlopen would find these (empty, so unloadable) first.
        let copy = directory + "/bin/ppg-conformance"
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.toolPath, toPath: copy)
        for name in ["libssl.so.3", "libcrypto.so.3", "libssl.so.1.1", "libcrypto.so.1.1"] {
            try TestSupport.write("", to: directory + "/bin/" + name)
        }
        let result = try TestSupport.run(
            copy,
            [
                "run", "--vectors", TestSupport.corpusDirectory, "--target",
                "https://127.0.0.1:\(receiver.port)/ppg/webhook", "--project-id", "example-project", "--insecure",
                "--only", "events/*",
            ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("plain HTTP on the TLS port, and a handshake that stalls, end in bounded time with one line")
    func notTLS() throws {
        let plain = try ListeningProcess(["--project-id", "p"])
        defer { _ = plain.stop(SIGKILL) }
        let start = Date()
        let answeredHTTP = try TestSupport.tool([
            "run", "--target", "https://127.0.0.1:\(plain.port)/ppg/webhook", "--project-id", "p", "--timeout", "2",
        ])
        #expect(answeredHTTP.status == 2)
        #expect(answeredHTTP.stderr.contains("cannot start TLS"), "\(answeredHTTP.stderr)")
        #expect(answeredHTTP.stderr.split(separator: "\n").count == 1)
        let stalled = try HostilePeer(.hang)
        defer { stalled.stop() }
        let silent = try TestSupport.tool([
            "run", "--target", "https://127.0.0.1:\(stalled.port)/ppg/webhook", "--project-id", "p", "--timeout", "1",
        ])
        #expect(silent.status == 2)
        #expect(silent.stderr.contains("did not complete a TLS handshake in time"), "\(silent.stderr)")
        #expect(Date().timeIntervalSince(start) < 15)
    }
}
