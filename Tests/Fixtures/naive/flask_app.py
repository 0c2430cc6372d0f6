#!/usr/bin/env python3
"""A naive PushPushGo receiver on Flask, with the bugs real Flask receivers have, chosen by --bug (comma-separated),
for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/flask/app.py.

    python3 Tests/Fixtures/naive/flask_app.py --project-id ID --port 0 --bug request-url,get-json

Bugs, each the line a Flask receiver has:
  request-url  the URL is request.url, which Werkzeug rebuilds from Host
  proxyfix     the same behind ProxyFix(x_proto=1, x_host=1): scheme and host from X-Forwarded-Proto/-Host
  get-json     json.dumps(request.get_json(force=True)) is what gets signed
"""
import argparse
import json

from flask import Flask, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server

import naive_options  # noqa: E402  (puts Examples/python on the path)
from ppg_signature import VerificationError, verify  # noqa: E402

app = Flask(__name__)
config = argparse.Namespace()


@app.post("/ppg/webhook")
def webhook():
    body = request.get_data()
    raw_target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    url = config.public_url.split("?")[0] + (raw_target[raw_target.index("?"):] if "?" in raw_target else "")
    if "request-url" in config.bugs or "proxyfix" in config.bugs:
        url = request.url
    if "get-json" in config.bugs:
        body = json.dumps(request.get_json(force=True)).encode()
    try:
        verify(config.project_id.encode(), config.scheme, config.encoding, url, list(request.headers.items()), body)
    except VerificationError as error:
        return jsonify(error=error.kind), 400 if error.kind == "unreadable-body" else 401
    return jsonify(ok=True)


def main():
    naive_options.parse(config, {"request-url", "proxyfix", "get-json"})
    if "proxyfix" in config.bugs:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)
    server = make_server(config.host, config.port, app, threaded=True)
    config.public_url = config.public_url or f"http://{config.host}:{server.server_port}/ppg/webhook"
    print(f"listening on http://{config.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
