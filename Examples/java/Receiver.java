// A PushPushGo webhook receiver on the JDK's own HTTP server (com.sun.net.httpserver), no dependencies.
//
//   java Examples/java/Receiver.java --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]
//
// (Java 17+, run from source.) Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port).
// The lines that matter are marked 1 to 4; verification itself is the class PPGSignature below.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class Receiver {
    static final int MAX_BODY = 1 << 20;
    static String projectId;
    static String publicUrl;
    static String scheme = "url-params";
    static String encoding = "hex";

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 8080;
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        projectId = options.get("--project-id");
        if (projectId == null) {
            System.err.println("--project-id is required");
            System.exit(2);
        }
        host = options.getOrDefault("--host", host);
        port = Integer.parseInt(options.getOrDefault("--port", String.valueOf(port)));
        scheme = options.getOrDefault("--scheme", scheme);
        encoding = options.getOrDefault("--encoding", encoding);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        int served = server.getAddress().getPort();
        // Without --public-url, the URL verified is the address served, never one taken from the request.
        publicUrl = options.getOrDefault("--public-url", "http://" + host + ":" + served + "/ppg/webhook");
        server.createContext("/", Receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("listening on http://" + host + ":" + served);
        System.out.flush();
    }

    static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    static void handle(HttpExchange exchange) throws IOException {
        // The raw request-target: HttpServer keeps the string it parsed.
        String target = exchange.getRequestURI().toString();
        int queryStart = target.indexOf('?');
        String path = queryStart < 0 ? target : target.substring(0, queryStart);
        // createContext matches prefixes: the webhook is this one path only.
        if (!path.equals("/ppg/webhook")) {
            answer(exchange, 404, "{\"error\":\"not-found\"}");
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            answer(exchange, 405, "{\"error\":\"method-not-allowed\"}");
            return;
        }
        // 1. The raw body, as received, at most 1 MiB.
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            answer(exchange, 413, "{\"error\":\"body-too-large\"}");
            return;
        }
        // 2. The URL as configured in PushPushGo plus the query exactly as it arrived: never one built from the
        //    Host header, which the client sends.
        String url = publicUrl.split("\\?", 2)[0] + (queryStart < 0 ? "" : target.substring(queryStart));
        // 3. Every X-PPG-Signature field (Headers keeps them all), so that two of them are refused.
        List<String> signatures = exchange.getRequestHeaders().getOrDefault("X-PPG-Signature", List.of());
        try {
            PPGSignature.verify(projectId.getBytes(StandardCharsets.UTF_8), scheme, encoding, url, signatures,
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
        } catch (PPGSignature.VerificationError error) {
            answer(exchange, error.kind.equals("unreadable-body") ? 400 : 401, "{\"error\":\"" + error.kind + "\"}");
            return;
        }
        // 4. The body is a delivery for this project: the configured projectId, never only a valid signature.
        List<PPGSignature.Member> members;
        try {
            members = PPGSignature.jsonMembers(body);
        } catch (IllegalArgumentException error) {
            answer(exchange, 400, "{\"error\":\"malformed-body\"}");
            return;
        }
        byte[] delivered = members.stream().filter(m -> m.isString() && Arrays.equals(m.name(), "projectId".getBytes()))
                .findFirst().map(PPGSignature.Member::value).orElse(null);
        if (delivered == null) {
            answer(exchange, 400, "{\"error\":\"not-a-delivery\"}");
        } else if (!Arrays.equals(delivered, projectId.getBytes(StandardCharsets.UTF_8))) {
            answer(exchange, 403, "{\"error\":\"project-mismatch\"}");
        } else {
            // Handle the event here (its "kind", "ppgId" …), idempotently: replays are possible.
            answer(exchange, 200, "{\"ok\":true}");
        }
    }
}

/**
 * Verification of PushPushGo X-PPG-Signature headers with the JDK only, as SPEC.md of ppg-webhook-conformance reads
 * it: HMAC-SHA1 keyed with the projectId you configured (never the body's), over the URL followed by the sorted POST
 * parameters (url-params) or the raw body (json-body), lowercase hex or padded base64.
 */
final class PPGSignature {
    /** Why a delivery was rejected: missing, several, empty, wrong-length, unreadable-body, mismatch. */
    static final class VerificationError extends Exception {
        final String kind;

        VerificationError(String kind, String message) {
            super(kind + ": " + message);
            this.kind = kind;
        }
    }

    /** A top-level member: a string's decoded UTF-8 bytes, or any other value's exact text. */
    record Member(byte[] name, byte[] value, boolean isString) {}

    private final byte[] text;
    private int at;

    private PPGSignature(byte[] text) {
        this.text = text;
    }

    /**
     * The top-level members of an RFC 8259 JSON object, in order, duplicates kept, null members left out; throws
     * IllegalArgumentException on a byte order mark, invalid UTF-8, a lone surrogate escape or anything else.
     */
    static List<Member> jsonMembers(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
            throw new IllegalArgumentException("byte order mark");
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException error) {
            throw new IllegalArgumentException("not UTF-8");
        }
        PPGSignature s = new PPGSignature(body);
        List<Member> members = new ArrayList<>();
        s.space();
        if (!s.take('{')) {
            throw new IllegalArgumentException("not a JSON object");
        }
        s.space();
        if (!s.take('}')) {
            while (true) {
                s.space();
                byte[] name = s.string();
                s.space();
                if (!s.take(':')) {
                    throw new IllegalArgumentException("expected ':'");
                }
                s.space();
                int start = s.at;
                if (s.peek() == '"') {
                    members.add(new Member(name, s.string(), true));
                } else {
                    s.value(0);
                    byte[] raw = Arrays.copyOfRange(body, start, s.at);
                    if (!Arrays.equals(raw, "null".getBytes())) {
                        members.add(new Member(name, raw, false));
                    }
                }
                s.space();
                if (s.take(',')) {
                    continue;
                }
                if (s.take('}')) {
                    break;
                }
                throw new IllegalArgumentException("expected ',' or '}'");
            }
        }
        s.space();
        if (s.at != body.length) {
            throw new IllegalArgumentException("data after the JSON object");
        }
        return members;
    }

    private int peek() {
        return at < text.length ? text[at] & 0xFF : -1;
    }

    private boolean take(char c) {
        if (peek() == c) {
            at++;
            return true;
        }
        return false;
    }

    private void space() {
        while (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n') {
            at++;
        }
    }

    private int digits() {
        int start = at;
        while (peek() >= '0' && peek() <= '9') {
            at++;
        }
        return at - start;
    }

    private int hex4() {
        if (at + 4 > text.length) {
            throw new IllegalArgumentException("bad \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text[at + i], 16);
            if (digit < 0) {
                throw new IllegalArgumentException("bad \\u escape");
            }
            code = code << 4 | digit;
        }
        at += 4;
        return code;
    }

    private byte[] string() {
        if (!take('"')) {
            throw new IllegalArgumentException("expected a string");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int c = peek();
            if (c < 0) {
                throw new IllegalArgumentException("unterminated string");
            }
            at++;
            if (c == '"') {
                return out.toByteArray();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in a string");
            }
            if (c != '\\') {
                out.write(c);
                continue;
            }
            int e = peek();
            at++;
            switch (e) {
                case '"', '\\', '/' -> out.write(e);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'u' -> {
                    int code = hex4();
                    if (code >= 0xDC00 && code <= 0xDFFF) {
                        throw new IllegalArgumentException("lone surrogate");
                    }
                    if (code >= 0xD800 && code <= 0xDBFF) {
                        if (!take('\\') || !take('u')) {
                            throw new IllegalArgumentException("lone surrogate");
                        }
                        int low = hex4();
                        if (low < 0xDC00 || low > 0xDFFF) {
                            throw new IllegalArgumentException("lone surrogate");
                        }
                        code = Character.toCodePoint((char) code, (char) low);
                    }
                    out.writeBytes(new String(Character.toChars(code)).getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new IllegalArgumentException("bad escape");
            }
        }
    }

    /** Checks one value of any kind; nesting deeper than 512 is refused rather than exhausting the stack. */
    private void value(int depth) {
        if (depth > 512) {
            throw new IllegalArgumentException("nested too deeply");
        }
        int c = peek();
        if (c == '"') {
            string();
        } else if (c == '{' || c == '[') {
            at++;
            char closing = c == '{' ? '}' : ']';
            space();
            if (take(closing)) {
                return;
            }
            while (true) {
                space();
                if (c == '{') {
                    string();
                    space();
                    if (!take(':')) {
                        throw new IllegalArgumentException("expected ':'");
                    }
                    space();
                }
                value(depth + 1);
                space();
                if (take(',')) {
                    continue;
                }
                if (take(closing)) {
                    return;
                }
                throw new IllegalArgumentException("expected ',' or a closing bracket");
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            take('-');
            if (!take('0') && digits() == 0) {
                throw new IllegalArgumentException("bad number");
            }
            if (take('.') && digits() == 0) {
                throw new IllegalArgumentException("bad number");
            }
            if (take('e') || take('E')) {
                if (!take('+')) {
                    take('-');
                }
                if (digits() == 0) {
                    throw new IllegalArgumentException("bad number");
                }
            }
        } else {
            for (String word : new String[] {"true", "false", "null"}) {
                byte[] bytes = word.getBytes();
                if (at + bytes.length <= text.length
                        && Arrays.equals(text, at, at + bytes.length, bytes, 0, bytes.length)) {
                    at += bytes.length;
                    return;
                }
            }
            throw new IllegalArgumentException("unexpected character at " + at);
        }
    }

    /**
     * An application/x-www-form-urlencoded body: '+' and %XX decoded, a malformed escape kept as written, empty
     * pieces dropped, a piece without '=' a name with an empty value.
     */
    static List<Member> formMembers(byte[] body) {
        List<Member> members = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i < body.length && body[i] != '&') {
                continue;
            }
            if (i > start) {
                int equals = start;
                while (equals < i && body[equals] != '=') {
                    equals++;
                }
                byte[] name = formDecode(body, start, equals);
                byte[] value = equals < i ? formDecode(body, equals + 1, i) : new byte[0];
                members.add(new Member(name, value, true));
            }
            start = i + 1;
        }
        return members;
    }

    private static byte[] formDecode(byte[] bytes, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            if (bytes[i] == '+') {
                out.write(' ');
            } else if (bytes[i] == '%' && i + 2 < to && Character.digit(bytes[i + 1], 16) >= 0
                    && Character.digit(bytes[i + 2], 16) >= 0) {
                out.write(Character.digit(bytes[i + 1], 16) << 4 | Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toByteArray();
    }

    /** The bytes the HMAC covers; IllegalArgumentException where url-params cannot read the body. */
    static byte[] signingInput(String scheme, String url, String contentType, byte[] body) {
        if (scheme.equals("json-body")) {
            return body;
        }
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        List<Member> members = body.length == 0 ? new ArrayList<>()
                : mediaType.equals("application/x-www-form-urlencoded") ? formMembers(body) : jsonMembers(body);
        // Byte order of the UTF-8 names, ties by the values' bytes.
        members.sort(Comparator.comparing(Member::name, Arrays::compareUnsigned)
                .thenComparing(Member::value, Arrays::compareUnsigned));
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(url.getBytes(StandardCharsets.UTF_8));
        for (Member member : members) {
            input.writeBytes(member.name());
            input.writeBytes(member.value());
        }
        return input.toByteArray();
    }

    /** Throws unless exactly one valid X-PPG-Signature came with the delivery (signatures: every field's value). */
    static void verify(byte[] projectId, String scheme, String encoding, String url, List<String> signatures,
            String contentType, byte[] body) throws VerificationError {
        if (signatures.isEmpty()) {
            throw new VerificationError("missing", "no X-PPG-Signature header");
        }
        if (signatures.size() > 1) {
            throw new VerificationError("several", signatures.size() + " X-PPG-Signature headers");
        }
        String presented = signatures.get(0).replaceAll("^[ \\t]+|[ \\t]+$", "");
        if (presented.isEmpty()) {
            throw new VerificationError("empty", "the header is empty");
        }
        byte[] input;
        try {
            input = signingInput(scheme, url, contentType, body);
        } catch (IllegalArgumentException error) {
            throw new VerificationError("unreadable-body", error.getMessage());
        }
        byte[] digest;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            // SecretKeySpec refuses an empty key; HMAC pads any key, so a one-block key of zeros is the same key.
            mac.init(new SecretKeySpec(projectId.length == 0 ? new byte[64] : projectId, "HmacSHA1"));
            digest = mac.doFinal(input);
        } catch (GeneralSecurityException error) {
            throw new IllegalStateException(error);
        }
        String expected;
        if (encoding.equals("hex")) {
            expected = HexFormat.of().formatHex(digest);
            presented = presented.toLowerCase(Locale.ROOT);
        } else {
            expected = Base64.getEncoder().encodeToString(digest);
        }
        if (presented.length() != expected.length()) {
            throw new VerificationError("wrong-length",
                    presented.length() + " characters, expected " + expected.length());
        }
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            throw new VerificationError("mismatch", "signature does not match");
        }
    }
}
