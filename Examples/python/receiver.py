#!/usr/bin/env python3
"""A PushPushGo webhook receiver on http.server, standard library only.

    python3 Examples/python/receiver.py --project-id YOUR_ID [--port 8080] [--public-url https://you.example/hook]

It prints "listening on http://127.0.0.1:PORT" once it is ready (use --port 0 for a free port).
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ppg_signature import VerificationError, verify

MAX_BODY = 1 << 20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    config = None

    def log_message(self, format, *args):  # one line per request, on stdout
        print("%s %s" % (self.address_string(), format % args), flush=True)

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        """The body, chunked or not; None (and the connection closed) when it is too large or malformed."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while True:
                line = self.rfile.readline(1024).split(b";")[0].strip()
                size = int(line, 16)
                if size == 0:
                    while self.rfile.readline(8192).strip():
                        pass
                    return body
                if len(body) + size > MAX_BODY:
                    return None
                body += self.rfile.read(size)
                self.rfile.readline(8)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def do_POST(self):
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            return self.reply(400, {"error": "malformed-body"})
        if body is None:
            self.close_connection = True
            return self.reply(413, {"error": "body-too-large"})
        # The URL PushPushGo signed: the configured URL up to its query, then the query as received.
        query = self.path[self.path.index("?"):] if "?" in self.path else ""
        url = self.config.public_url.split("?")[0] + query
        try:
            verify(self.config.project_id.encode(), self.config.scheme, self.config.encoding, url,
                   list(self.headers.items()), body)
        except VerificationError as error:
            return self.reply(400 if error.kind == "unreadable-body" else 401, {"error": error.kind})
        try:
            delivery = json.loads(body)
        except (ValueError, RecursionError):
            return self.reply(400, {"error": "malformed-body"})
        if not isinstance(delivery, dict) or not isinstance(delivery.get("projectId"), str):
            return self.reply(400, {"error": "not-a-delivery"})
        if delivery["projectId"] != self.config.project_id:
            return self.reply(403, {"error": "project-mismatch"})
        # Handle the event here (delivery.get("kind"), delivery.get("ppgId") …), idempotently: replays are possible.
        return self.reply(200, {"ok": True})

    def refuse(self):
        self.close_connection = True
        self.reply(405, {"error": "method-not-allowed"})

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = refuse


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--public-url")
    parser.add_argument("--scheme", choices=["url-params", "json-body"], default="url-params")
    parser.add_argument("--encoding", choices=["hex", "base64"], default="hex")
    Handler.config = parser.parse_args()
    server = ThreadingHTTPServer((Handler.config.host, Handler.config.port), Handler)
    # Without --public-url, the URL verified is the address served: never one rebuilt from the request's Host.
    Handler.config.public_url = Handler.config.public_url or \
        f"http://{Handler.config.host}:{server.server_address[1]}/ppg/webhook"
    print(f"listening on http://{Handler.config.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
