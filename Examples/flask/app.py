"""A PushPushGo webhook receiver on Flask, written the way the suite expects.

    python3 Examples/flask/app.py --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]

Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are marked.
"""
import argparse
import json
import os
import sys

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from ppg_signature import VerificationError, verify  # noqa: E402  (the verifier beside this example)

app = Flask(__name__)
config = argparse.Namespace()


@app.post("/ppg/webhook")
def webhook():
    # 1. The raw body, as received: never request.json re-serialised.
    body = request.get_data()
    # 2. The URL as configured in PushPushGo plus the query exactly as it arrived: never request.url, which
    #    Werkzeug rebuilds from Host (and, behind ProxyFix, from X-Forwarded-*), both sent by the client.
    raw_target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    query = raw_target[raw_target.index("?"):] if "?" in raw_target else ""
    url = config.public_url.split("?")[0] + query
    # 3. Every X-PPG-Signature field, so that two of them are refused; the comparison inside is constant-time.
    headers = [(name, value) for name, value in request.headers.items()]
    try:
        verify(config.project_id.encode(), config.scheme, config.encoding, url, headers, body)
    except VerificationError as error:
        return jsonify(error=error.kind), 400 if error.kind == "unreadable-body" else 401
    try:
        delivery = json.loads(body)
    except (ValueError, RecursionError):
        return jsonify(error="malformed-body"), 400
    if not isinstance(delivery, dict) or not isinstance(delivery.get("projectId"), str):
        return jsonify(error="not-a-delivery"), 400
    if delivery["projectId"] != config.project_id:
        return jsonify(error="project-mismatch"), 403
    # Handle the event here (delivery.get("kind"), delivery.get("ppgId") …), idempotently: replays are possible.
    return jsonify(ok=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--public-url")
    parser.add_argument("--scheme", choices=["url-params", "json-body"], default="url-params")
    parser.add_argument("--encoding", choices=["hex", "base64"], default="hex")
    parser.parse_args(namespace=config)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # 413 past 1 MiB
    server = make_server(config.host, config.port, app, threaded=True)
    # Without --public-url, the URL verified is the address served, never one taken from the request.
    config.public_url = config.public_url or f"http://{config.host}:{server.server_port}/ppg/webhook"
    print(f"listening on http://{config.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
