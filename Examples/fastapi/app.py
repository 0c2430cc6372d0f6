"""A PushPushGo webhook receiver on FastAPI under uvicorn, written the way the suite expects.

    python3 Examples/fastapi/app.py --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]

Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are marked.
"""
import argparse
import asyncio
import json
import os
import socket
import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from ppg_signature import VerificationError, verify  # noqa: E402  (the verifier beside this example)

app = FastAPI()
config = argparse.Namespace()


@app.post("/ppg/webhook")
async def webhook(request: Request):
    # 1. The raw body, as received: never a parsed model re-serialised.
    body = await request.body()
    if len(body) > 1 << 20:
        return JSONResponse({"error": "body-too-large"}, status_code=413)
    # 2. The URL as configured in PushPushGo plus the raw query: never request.url, which Starlette rebuilds from
    #    Host, and uvicorn from X-Forwarded-Proto when the client is a trusted address (127.0.0.1 by default).
    query = request.scope["query_string"].decode("latin-1")
    url = config.public_url.split("?")[0] + ("?" + query if query else "")
    # 3. Every X-PPG-Signature field (raw, duplicates kept); the comparison inside is constant-time.
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.scope["headers"]]
    try:
        verify(config.project_id.encode(), config.scheme, config.encoding, url, headers, body)
    except VerificationError as error:
        return JSONResponse({"error": error.kind}, status_code=400 if error.kind == "unreadable-body" else 401)
    try:
        delivery = json.loads(body)
    except (ValueError, RecursionError):
        return JSONResponse({"error": "malformed-body"}, status_code=400)
    if not isinstance(delivery, dict) or not isinstance(delivery.get("projectId"), str):
        return JSONResponse({"error": "not-a-delivery"}, status_code=400)
    if delivery["projectId"] != config.project_id:
        return JSONResponse({"error": "project-mismatch"}, status_code=403)
    # Handle the event here (delivery.get("kind"), delivery.get("ppgId") …), idempotently: replays are possible.
    return {"ok": True}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--public-url")
    parser.add_argument("--scheme", choices=["url-params", "json-body"], default="url-params")
    parser.add_argument("--encoding", choices=["hex", "base64"], default="hex")
    parser.parse_args(namespace=config)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((config.host, config.port))
    port = listener.getsockname()[1]
    # Without --public-url, the URL verified is the address served, never one taken from the request.
    config.public_url = config.public_url or f"http://{config.host}:{port}/ppg/webhook"
    print(f"listening on http://{config.host}:{port}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    asyncio.run(server.serve(sockets=[listener]))


if __name__ == "__main__":
    main()
