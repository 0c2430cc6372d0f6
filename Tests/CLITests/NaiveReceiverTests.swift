import Foundation
import TestSupport
import Testing

/// The diagnosis against receivers written the way people write them (`Tests/Fixtures/naive/receiver.py`:
/// Examples/python with real bugs), over HTTP: the cause named first, confirmed on the wire where a probe can.
@Suite("Diagnosis of naive receivers")
struct NaiveReceiverTests {
    static let script = TestSupport.packageRoot + "/Tests/Fixtures/naive/receiver.py"

    /// Runs the suite against the naive receiver with `bugs` and returns the JSON diagnosis and the console output.
    /// - Parameters:
    ///   - command: The receiver's executable and its first arguments (Python's receiver.py by default).
    static func diagnose(
        _ bugs: String, scheme: String, encoding: String, command: [String]? = nil
    ) throws -> ([[String: Any]], String) {
        let command = try command ?? [try #require(TestSupport.which("python3")), script]
        let receiver = try ListeningProcess(
            executable: command[0],
            arguments: Array(command.dropFirst()) + [
                "--project-id", "naive-project", "--port", "0", "--scheme", scheme, "--encoding", encoding,
                "--bug", bugs,
            ])
        defer { _ = receiver.stop(SIGKILL) }
        try #require(receiver.port > 0, "the naive receiver did not start")
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TestSupport.tool([
            "run", "--target", receiver.url, "--project-id", "naive-project", "--scheme", scheme, "--encoding",
            encoding, "--json", directory + "/report.json",
        ])
        #expect(run.status == 1, "\(run.stdout.suffix(500))")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (json["diagnosis"] as? [[String: Any]] ?? [], run.stdout)
    }

    @Test(
        "verification commented out, routing kept: 'accept-all' is named first, not 'no known bug'",
        .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func verificationRemoved() throws {
        let (diagnosis, stdout) = try Self.diagnose("no-verify", scheme: "url-params", encoding: "hex")
        #expect(diagnosis.first?["mutant"] as? String == "accept-all", "\(diagnosis.first ?? [:])")
        #expect(!stdout.contains("No known bug"))
    }

    @Test(
        "a body re-serialised by Python's compact json.dumps: the family member is confirmed on the wire",
        .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func reserialisationMember() throws {
        let (diagnosis, stdout) = try Self.diagnose("json-compact", scheme: "json-body", encoding: "hex")
        let first = try #require(diagnosis.first)
        #expect(first["mutant"] as? String == "reserialises-body")
        #expect(first["confirmed"] as? Bool == true)
        #expect((first["member"] as? String)?.hasPrefix("Python's json.dumps with separators=(',', ':')") == true)
        #expect(stdout.contains("your receiver signs the body as Python's json.dumps"), "\(stdout.suffix(1500))")
    }

    @Test(
        "unpadded base64 is a reading of its own, named with what departs from SPEC, not the key",
        .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func unpaddedBase64() throws {
        let (diagnosis, _) = try Self.diagnose("unpadded", scheme: "url-params", encoding: "base64")
        let first = try #require(diagnosis.first)
        #expect(first["setting"] as? String == "--encoding", "\(first)")
        #expect((first["works"] as? String)?.contains("without '=' padding") == true)
        #expect((first["message"] as? String)?.contains("R7") == true)
    }

    @Test(
        "three bugs at once: the re-serialisation confirmed with unpadded base64, both named, the bug first",
        .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func threeBugs() throws {
        let (diagnosis, _) = try Self.diagnose(
            "url-host,json-unicode,unpadded", scheme: "json-body", encoding: "base64")
        #expect(diagnosis.first?["mutant"] as? String == "reserialises-body", "\(diagnosis.first ?? [:])")
        #expect(diagnosis.first?["confirmed"] as? Bool == true)
        #expect(diagnosis.contains { ($0["works"] as? String)?.contains("without '=' padding") == true })
    }

    @Test(
        "a URL rebuilt from Host is named first, a code bug no setting explains",
        .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func urlFromHost() throws {
        let (diagnosis, _) = try Self.diagnose("url-host", scheme: "url-params", encoding: "hex")
        #expect(diagnosis.first?["mutant"] as? String == "rebuilds-url", "\(diagnosis.first ?? [:])")
        #expect(!diagnosis.contains { $0["kind"] as? String == "setting" })
    }

    static let fixtures = TestSupport.packageRoot + "/Tests/Fixtures/naive/"

    @Test(
        "FastAPI with verify() commented out, its router kept: 'accept-all' first, the router's 405s no contradiction",
        .enabled(if: ExampleTests.hasFastAPI, "FastAPI or uvicorn is not installed (pip install fastapi uvicorn)"))
    func fastAPIVerificationRemoved() throws {
        let python = try #require(TestSupport.which("python3"))
        let (diagnosis, stdout) = try Self.diagnose(
            "no-verify", scheme: "url-params", encoding: "hex", command: [python, Self.fixtures + "fastapi_app.py"])
        #expect(diagnosis.first?["mutant"] as? String == "accept-all", "\(diagnosis.first ?? [:])")
        #expect(!stdout.contains("No known bug"))
    }

    @Test(
        "Sinatra signing JSON.parse(body).to_json: the family confirmed as Ruby's to_json, ranked above Puma's 500",
        .enabled(if: ExampleTests.hasSinatra, "Sinatra or Puma is not installed (apt-get install ruby-sinatra puma)"))
    func rubyReserialisation() throws {
        let ruby = try #require(TestSupport.which("ruby"))
        let (diagnosis, _) = try Self.diagnose(
            "to-json", scheme: "json-body", encoding: "hex", command: [ruby, Self.fixtures + "sinatra.rb"])
        let first = try #require(diagnosis.first)
        #expect(first["mutant"] as? String == "reserialises-body", "\(first)")
        #expect(first["confirmed"] as? Bool == true)
        // The probe's delivery is written alike by several members; Ruby's is among those named.
        #expect((first["member"] as? String)?.contains("Ruby's to_json") == true, "\(first)")
        #expect((first["contradictedBy"] as? [Any])?.isEmpty ?? true, "\(first)")
        #expect((first["alsoFailsWithThisBug"] as? [Any])?.isEmpty ?? true, "\(first)")
        // The naive app lacks the example's Puma patch: its 500 is the second cause, named, not hidden.
        #expect(diagnosis.dropFirst().contains { $0["mutant"] as? String == "500-on-invalid-target" })
    }

    @Test(
        "Django with USE_X_FORWARDED_HOST: the URL rebuilt from forwarding headers, not from the scheme alone",
        .enabled(if: ExampleTests.hasDjango, "Django or gunicorn is not installed (pip install django gunicorn)"))
    func djangoForwardedHost() throws {
        let python = try #require(TestSupport.which("python3"))
        let (diagnosis, _) = try Self.diagnose(
            "forwarded-host", scheme: "url-params", encoding: "hex", command: [python, Self.fixtures + "django_app.py"])
        #expect(diagnosis.first?["mutant"] as? String == "trusts-forwarded-headers", "\(diagnosis.first ?? [:])")
        #expect(!diagnosis.contains { $0["kind"] as? String == "setting" })
    }
}
