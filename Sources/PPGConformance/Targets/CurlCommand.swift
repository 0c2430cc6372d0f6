import Foundation
import PPGHTTP
import PPGVectors
import PPGWire

/// A `curl` command that sends a delivery exactly: the same method, request-target, headers in order (curl's own
/// defaults suppressed) and body bytes.
package enum CurlCommand {
    /// The command for one delivery.
    /// - Parameters:
    ///   - delivery: The delivery.
    ///   - insecure: Add `--insecure` for self-signed https targets.
    /// - Returns: A shell command line.
    public static func make(_ delivery: Delivery, insecure: Bool = false, caFile: String? = nil) -> String {
        let request = delivery.request
        var parts = ["curl", "-sS", "-i", "--path-as-is", "-X", request.method]
        if insecure { parts.append("--insecure") }
        if let caFile { parts += ["--cacert", quote(caFile)] }
        for header in request.headers {
            // "Name;" is curl's way to send a header with an empty value.
            parts += ["-H", quote(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")]
        }
        // curl adds these unless told not to; the delivery has none of them.
        for (name, flag) in [
            ("Content-Type", "Content-Type:"), ("User-Agent", "User-Agent:"), ("Accept", "Accept:"),
            ("Expect", "Expect:"),
        ] where !request.headers.contains(name) {
            parts += ["-H", quote(flag)]
        }
        if delivery.chunked { parts += ["-H", quote("Transfer-Encoding: chunked")] }
        if delivery.hasOtherTarget { parts += ["--request-target", quote(request.target)] }
        if !request.body.isEmpty || request.method != "GET" { parts += ["--data-binary", "@-"] }
        parts.append(quote(delivery.url.description))
        let command = parts.joined(separator: " ")
        guard !request.body.isEmpty || request.method != "GET" else { return command }
        return producer(request.body) + " | " + command
    }

    /// A bash command that writes each request's exact bytes to one TCP connection, a moment apart, and prints
    /// what comes back: for what curl cannot send as the harness did (its own chunk sizes, one connection for
    /// several requests).
    /// - Parameters:
    ///   - host: The host to connect to.
    ///   - port: The port.
    ///   - requests: Each request's bytes, in order.
    /// - Returns: A shell command line.
    ///   - tls: For https, the bytes go through `openssl s_client` instead of `/dev/tcp`.
    public static func rawSocket(host: String, port: Int, requests: [[UInt8]], tls: TLSOptions? = nil) -> String {
        let address = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        var script: String
        if let tls {
            var client = "openssl s_client -quiet -connect \(host):\(port) -servername \(address)"
            if tls.verify { client += " -verify_return_error" + (tls.caFile.map { " -CAfile \"\($0)\"" } ?? "") }
            let writes = requests.indices.map { "printf \"$\($0 + 1)\"; sleep 0.5" }.joined(separator: "; ")
            script = "{ \(writes); sleep 2; } | \(client)"
        } else {
            script = "exec 3<>/dev/tcp/\(address)/\(port)"
            for index in requests.indices {
                script += "; printf \"$\(index + 1)\" >&3; sleep 0.5"
            }
            script += "; while IFS= read -r -t 2 line <&3; do printf \"%s\\n\" \"$line\"; done"
        }
        return (["bash", "-c", quote(script), "reproduce"] + requests.map { quote(printfEscaped($0)) })
            .joined(separator: " ")
    }

    /// A command that writes exactly these bytes: `printf` for short bodies, a Python expression with runs
    /// compressed for long ones (a 1 MiB body stays one short line).
    static func producer(_ body: [UInt8]) -> String {
        if body.count <= 4096 {
            if let text = String(validating: body, as: UTF8.self), isPlainText(body) {
                return "printf '%s' " + quote(text)
            }
            return "printf " + quote(printfEscaped(body))
        }
        var pieces: [String] = []
        var index = 0
        var literal: [UInt8] = []
        while index < body.count {
            var run = 1
            while index + run < body.count && body[index + run] == body[index] { run += 1 }
            if run >= 64 {
                if !literal.isEmpty { pieces.append(pythonBytes(literal)); literal = [] }
                pieces.append(pythonBytes([body[index]]) + "*\(run)")
            } else {
                literal += body[index..<(index + run)]
            }
            index += run
        }
        if !literal.isEmpty { pieces.append(pythonBytes(literal)) }
        return "python3 -c " + quote("import sys; sys.stdout.buffer.write(" + pieces.joined(separator: "+") + ")")
    }

    /// No control characters but tab and newline, so the text survives single quotes as it is.
    static func isPlainText(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x0A || $0 == 0x09 }
    }

    static func printfEscaped(_ body: [UInt8]) -> String {
        body.map { byte -> String in
            if byte == 0x25 { return "%%" }
            if byte == 0x5C { return "\\\\" }
            if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
            return "\\" + String(byte, radix: 8).leftPadded(to: 3)
        }.joined()
    }

    static func pythonBytes(_ bytes: [UInt8]) -> String {
        "b'"
            + bytes.map { byte -> String in
                if byte == 0x27 { return "\\'" }
                if byte == 0x5C { return "\\\\" }
                if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
                return "\\x" + String(byte, radix: 16).leftPadded(to: 2)
            }.joined() + "'"
    }

    /// Single-quotes a word for POSIX shells.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
