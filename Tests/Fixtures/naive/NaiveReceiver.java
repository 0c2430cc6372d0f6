// A naive PushPushGo receiver on the JDK's HttpServer, with the bugs real Java receivers have, chosen by --bug
// (comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/java/Receiver.java, whose
// PPGSignature class this one compiles beside:
//
//   javac -d OUT Examples/java/Receiver.java Tests/Fixtures/naive/NaiveReceiver.java
//   java -cp OUT NaiveReceiver --project-id ID --port 0 --bug host-header,without-padding
//
// Bugs, each the line Java code has:
//   host-header      the URL as "http://" + the Host header + getRequestURI()
//   without-padding  the signature written with Base64.getEncoder().withoutPadding() and compared with equals

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class NaiveReceiver {
    static String projectId;
    static String publicUrl;
    static String scheme = "url-params";
    static String encoding = "hex";
    static Set<String> bugs = Set.of();

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        projectId = options.get("--project-id");
        String host = options.getOrDefault("--host", "127.0.0.1");
        int port = Integer.parseInt(options.getOrDefault("--port", "8080"));
        scheme = options.getOrDefault("--scheme", scheme);
        encoding = options.getOrDefault("--encoding", encoding);
        bugs = Set.of(options.getOrDefault("--bug", "").split(","));
        for (String bug : bugs) {
            if (!bug.isEmpty() && !bug.equals("host-header") && !bug.equals("without-padding")) {
                System.err.println("unknown --bug " + bug);
                System.exit(2);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        int served = server.getAddress().getPort();
        publicUrl = options.getOrDefault("--public-url", "http://" + host + ":" + served + "/ppg/webhook");
        server.createContext("/ppg/webhook", NaiveReceiver::handle);
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
        if (!exchange.getRequestMethod().equals("POST")) {
            answer(exchange, 405, "{\"error\":\"method-not-allowed\"}");
            return;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        String target = exchange.getRequestURI().toString();
        int queryStart = target.indexOf('?');
        String url = publicUrl.split("\\?", 2)[0] + (queryStart < 0 ? "" : target.substring(queryStart));
        if (bugs.contains("host-header")) {
            url = "http://" + exchange.getRequestHeaders().getFirst("Host") + exchange.getRequestURI();
        }
        List<String> signatures = exchange.getRequestHeaders().getOrDefault("X-PPG-Signature", List.of());
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (bugs.contains("without-padding") && encoding.equals("base64")) {
            String expected;
            try {
                Mac mac = Mac.getInstance("HmacSHA1");
                mac.init(new SecretKeySpec(projectId.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
                byte[] input = PPGSignature.signingInput(scheme, url, contentType, body);
                expected = Base64.getEncoder().withoutPadding().encodeToString(mac.doFinal(input));
            } catch (IllegalArgumentException error) {
                answer(exchange, 400, "{\"error\":\"unreadable-body\"}");
                return;
            } catch (GeneralSecurityException error) {
                throw new IllegalStateException(error);
            }
            if (signatures.size() != 1 || !expected.equals(signatures.get(0).trim())) {
                answer(exchange, 401, "{\"error\":\"mismatch\"}");
                return;
            }
        } else {
            try {
                PPGSignature.verify(projectId.getBytes(StandardCharsets.UTF_8), scheme, encoding, url, signatures,
                        contentType, body);
            } catch (PPGSignature.VerificationError error) {
                answer(exchange, error.kind.equals("unreadable-body") ? 400 : 401, "{\"error\":\"" + error.kind + "\"}");
                return;
            }
        }
        answer(exchange, 200, "{\"ok\":true}");
    }
}
