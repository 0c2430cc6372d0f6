#!/usr/bin/env python3
"""A naive PushPushGo receiver: Examples/python/receiver.py with the bugs real receivers have, chosen by --bug
(comma-separated), for the diagnosis tests and `scripts/diagnose-naive.sh`. Never a model to copy.

    python3 Tests/Fixtures/naive/receiver.py --project-id ID --port 0 --bug url-host,json-compact

Bugs, each one line of real code:
  no-verify      the verify() call commented out; the route still takes POST only
  url-host       the URL rebuilt as http://Host/path (request.url in most frameworks)
  url-forwarded  the scheme from X-Forwarded-Proto, the host from X-Forwarded-Host or Host (ProxyFix)
  json-dumps     the body re-serialised with Python's default json.dumps (', ' and ': ', ASCII escapes)
  json-compact   re-serialised with separators=(',', ':')
  json-unicode   re-serialised compact with ensure_ascii=False
  unpadded       base64 compared without its '=' padding (Perl's hmac_sha1_base64)
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "Examples", "python"))

import receiver as careful  # noqa: E402
import ppg_signature  # noqa: E402

BUGS = {"no-verify", "url-host", "url-forwarded", "json-dumps", "json-compact", "json-unicode", "unpadded"}


class NaiveHandler(careful.Handler):
    bugs = set()

    def do_POST(self):
        bugs = self.bugs
        body = self.read_body()
        if body is None:
            return self.reply(413, {"error": "body-too-large"})
        query = self.path[self.path.index("?"):] if "?" in self.path else ""
        path = self.path.split("?")[0]
        url = self.config.public_url.split("?")[0] + query
        if "url-host" in bugs:
            url = "http://" + (self.headers.get("Host") or "") + self.path
        if "url-forwarded" in bugs:
            scheme = self.headers.get("X-Forwarded-Proto") or "http"
            host = self.headers.get("X-Forwarded-Host") or self.headers.get("Host") or ""
            url = scheme + "://" + host + self.path
        signed = body
        try:
            if "json-dumps" in bugs:
                signed = json.dumps(json.loads(body)).encode()
            elif "json-compact" in bugs:
                signed = json.dumps(json.loads(body), separators=(",", ":")).encode()
            elif "json-unicode" in bugs:
                signed = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
        except (ValueError, RecursionError):
            return self.reply(400, {"error": "malformed-body"})
        if "no-verify" not in bugs:
            headers = list(self.headers.items())
            if "unpadded" in bugs and self.config.encoding == "base64":
                presented = next((v for n, v in headers if n.lower() == "x-ppg-signature"), "")
                content_type = self.headers.get("Content-Type")
                try:
                    data = ppg_signature.signing_input(self.config.scheme, url, signed, content_type)
                except (ValueError, RecursionError):
                    return self.reply(400, {"error": "unreadable-body"})
                digest = hmac.new(self.config.project_id.encode(), data, hashlib.sha1).digest()
                if presented != base64.b64encode(digest).decode().rstrip("="):
                    return self.reply(401, {"error": "mismatch"})
            else:
                try:
                    ppg_signature.verify(self.config.project_id.encode(), self.config.scheme, self.config.encoding,
                                         url, headers, signed)
                except ppg_signature.VerificationError as error:
                    return self.reply(400 if error.kind == "unreadable-body" else 401, {"error": error.kind})
        try:
            delivery = json.loads(body)
        except (ValueError, RecursionError):
            return self.reply(400, {"error": "malformed-body"})
        if not isinstance(delivery, dict):
            return self.reply(400, {"error": "not-a-delivery"})
        return self.reply(200, {"ok": True})


def main():
    # --bug is this fixture's own option; every other one is the careful receiver's, which serves this handler.
    bug_parser = argparse.ArgumentParser(add_help=False)
    bug_parser.add_argument("--bug", default="")
    known, rest = bug_parser.parse_known_args()
    bugs = {bug for bug in known.bug.split(",") if bug}
    unknown = bugs - BUGS
    if unknown:
        bug_parser.error("unknown --bug " + ", ".join(sorted(unknown)))
    NaiveHandler.bugs = bugs
    careful.Handler = NaiveHandler
    sys.argv = [sys.argv[0]] + rest
    careful.main()


if __name__ == "__main__":
    main()
