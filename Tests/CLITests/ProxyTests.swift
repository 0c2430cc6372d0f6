import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A reverse proxy of Debian's in front of `serve`, started on loopback ports with a configuration of the test's own.
enum ReverseProxy: String, CaseIterable, Sendable, CustomStringConvertible {
    case nginx
    case apache = "apache2"

    var description: String { rawValue }

    var executable: String? {
        TestSupport.which(rawValue)
            ?? ["/usr/sbin/" + rawValue].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let anyInstalled = allCases.contains { $0.executable != nil }

    /// Its configuration: listening on `port` (TLS with the directory's certificate when `tls`), forwarding to
    /// `backend` as people configure a proxy in front of a webhook: the client's Host kept, X-Forwarded-Proto set.
    func configuration(directory: String, port: Int, backend: Int, tls: Bool) -> String {
        switch self {
        case .nginx:
            return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid \(directory)/nginx.pid;
                error_log \(directory)/error.log;
                events { worker_connections 512; }
                http {
                    access_log off;
                    client_body_temp_path \(directory)/body;
                    proxy_temp_path \(directory)/proxy;
                    fastcgi_temp_path \(directory)/fastcgi;
                    uwsgi_temp_path \(directory)/uwsgi;
                    scgi_temp_path \(directory)/scgi;
                    client_max_body_size 4m;
                    server {
                        listen 127.0.0.1:\(port)\(tls ? " ssl" : "");
                        \(tls ? "ssl_certificate \(directory)/cert.pem; ssl_certificate_key \(directory)/key.pem;" : "")
                        location / {
                            proxy_pass http://127.0.0.1:\(backend);
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $http_host;
                            proxy_set_header X-Forwarded-Proto $scheme;
                        }
                    }
                }

                """
        case .apache:
            let modules = "/usr/lib/apache2/modules"
            let loaded = [
                "mpm_event", "authz_core", "proxy", "proxy_http", "headers", "ssl", "socache_shmcb",
            ].map { "LoadModule \($0)_module \(modules)/mod_\($0).so" }.joined(separator: "\n")
            return """
                ServerRoot \(directory)
                ServerName 127.0.0.1
                DefaultRuntimeDir \(directory)
                PidFile \(directory)/apache.pid
                ErrorLog \(directory)/error.log
                LogLevel warn
                Mutex file:\(directory) default
                \(loaded)
                \(geteuid() == 0 ? "User www-data\nGroup www-data" : "")
                Listen 127.0.0.1:\(port)
                LimitRequestBody 4194304
                <VirtualHost 127.0.0.1:\(port)>
                    \(tls ? "SSLEngine on\n    SSLCertificateFile \(directory)/cert.pem\n    SSLCertificateKeyFile \(directory)/key.pem" : "")
                    ProxyPreserveHost On
                    ProxyPass / http://127.0.0.1:\(backend)/
                    RequestHeader set X-Forwarded-Proto \(tls ? "https" : "http")
                </VirtualHost>

                """
        }
    }

    /// Starts the proxy; returns its process, stopped by the caller.
    func start(directory: String, port: Int, backend: Int, tls: Bool) throws -> Process {
        let path = directory + "/\(rawValue).conf"
        try TestSupport.write(configuration(directory: directory, port: port, backend: backend, tls: tls), to: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(executable))
        process.arguments =
            self == .nginx
            ? ["-c", path, "-p", directory, "-e", directory + "/error.log"] : ["-f", path, "-DFOREGROUND"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready once it accepts a connection.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if ProxyTests.accepts(port) { return process }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
        ProxyTests.stop(process)
        throw ProxyTests.Failure(message: "\(rawValue) did not start on \(port): \(log.suffix(600))")
    }
}

/// The suite run through real reverse proxies, as a receiver is deployed: TLS terminators and plain proxies that keep
/// the client's Host and set X-Forwarded-Proto. A careful receiver (it signs the URL it is configured with)
/// conforms through each; a naive one (it rebuilds the URL from X-Forwarded-Proto and Host) fails, with the rebuild
/// named, behind a TLS terminator and in front of an http target alike.
@Suite(
    "through real proxies",
    // One proxy at a time: a proxy started by one case inherits the output pipes of a tool another case is
    // reading, and two such cases would each wait for the other's proxy to exit.
    .serialized,
    .enabled(if: ReverseProxy.anyInstalled, "neither nginx nor apache2 is installed (apt-get install nginx apache2)"),
    .enabled(if: TestSupport.hasOpenSSL, "openssl is needed for the TLS terminator's certificate"))
struct ProxyTests {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"

    static func tcpSocket() -> Int32 {
        #if canImport(Glibc)
            socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    /// Stops a proxy and every process it started (Apache's children would outlive their parent, holding whatever
    /// descriptors they inherited). SIGKILL: the test process may pass SIGTERM blocked to what it starts.
    static func stop(_ process: Process) {
        let parent = process.processIdentifier
        var children: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
                Int32(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) == parent
            else { continue }
            children.append(pid)
        }
        kill(parent, SIGKILL)
        for child in children { kill(child, SIGKILL) }
        process.waitUntilExit()
    }

    /// Whether something accepts connections on a loopback port.
    static func accepts(_ port: Int) -> Bool {
        let descriptor = tcpSocket()
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let descriptor = tcpSocket()
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The run's report and output through `proxy` to `serve` (the reference, or a mutant).
    func run(
        through proxy: ReverseProxy, tls: Bool, mutant: String?
    ) throws -> (result: ProcessResult, failed: Set<String>) {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Apache's workers run as www-data when started as root: they read nothing of the directory but need to
        // reach it.
        chmod(directory, 0o755)
        let scheme = tls ? "https" : "http"
        let port = try Self.freePort()
        let publicURL = "\(scheme)://127.0.0.1:\(port)/ppg/webhook"
        if tls {
            let made = try TestSupport.run(
                try #require(TestSupport.which("openssl")),
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/key.pem", "-out",
                    directory + "/cert.pem", "-days", "1", "-subj", "/CN=ppg-proxy", "-addext",
                    "subjectAltName=IP:127.0.0.1",
                ])
            try #require(made.status == 0, "\(made.stderr)")
        }
        // The proxy first, serve after it: a process started later would inherit serve's output pipe, and serve's
        // stop waits for that pipe to close.
        let backend = try Self.freePort()
        let server = try proxy.start(directory: directory, port: port, backend: backend, tls: tls)
        defer { Self.stop(server) }
        let serve = try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: [
                "serve", "--port", String(backend), "--project-id", Self.projectID, "--public-url", publicURL,
            ] + (mutant.map { ["--mutant", $0] } ?? []))
        defer { _ = serve.stop() }
        let result = try TestSupport.tool(
            [
                "run", "--target", publicURL, "--project-id", Self.projectID, "--json", directory + "/report.json",
                "--no-probe",
            ]
                + (tls ? ["--cacert", directory + "/cert.pem"] : []))
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outcomes = try #require(report["outcomes"] as? [[String: Any]])
        let failed = outcomes.filter { ["fail", "error"].contains($0["status"] as? String) }.compactMap {
            $0["id"] as? String
        }
        return (result, Set(failed))
    }

    static let setups: [(ReverseProxy, Bool)] = ReverseProxy.allCases.filter { $0.executable != nil }.flatMap {
        [($0, true), ($0, false)]
    }

    @Test("a receiver that signs its configured URL conforms behind the proxy", arguments: setups)
    func carefulConforms(proxy: ReverseProxy, tls: Bool) throws {
        let (result, failed) = try run(through: proxy, tls: tls, mutant: nil)
        #expect(result.status == 0, "\(proxy) tls=\(tls): \(failed.sorted()) \(result.stdout.suffix(1500))")
        #expect(result.stdoutLines.last?.hasSuffix(" 0 failed, 8 skipped") == true || failed.isEmpty)
    }

    @Test(
        "a receiver that rebuilds its URL from X-Forwarded-Proto and Host fails behind the proxy, the rebuild named",
        arguments: setups)
    func naiveFails(proxy: ReverseProxy, tls: Bool) throws {
        let (result, failed) = try run(through: proxy, tls: tls, mutant: "trusts-forwarded-proto")
        #expect(result.status == 1, "\(proxy) tls=\(tls): a forged Host passed: \(result.stdout.suffix(800))")
        // The forgery signed for the URL the rebuild produces under the scheme the proxy sets.
        #expect(failed.contains(tls ? "inputs/host-forged-https" : "inputs/host-forged"), "\(failed.sorted())")
        // The first cause named is a URL rebuilt from Host: through an https terminator the proxy's scheme, through
        // an http one indistinguishable from http:// + Host.
        let diagnosis = result.stdout.split(separator: "\n").first { $0.contains("1. consistent with") } ?? ""
        let rebuilds =
            tls ? ["trusts-forwarded-proto", "rebuilds-https-url"] : ["trusts-forwarded-proto", "rebuilds-url"]
        #expect(rebuilds.contains { diagnosis.contains("'\($0)'") }, "\(result.stdout.suffix(1500))")
    }
}
