#!/usr/bin/env python3
"""A naive PushPushGo receiver on FastAPI under uvicorn, with the bugs real FastAPI receivers have, chosen by --bug
(comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/fastapi/app.py.

    python3 Tests/Fixtures/naive/fastapi_app.py --project-id ID --port 0 --bug no-verify

Bugs, each the line a FastAPI receiver has:
  no-verify     the verify() call commented out "for now"; the route still takes POST only (405 to the rest) and
                the body is still parsed (400 when it is not a JSON object)
  request-url   the URL is str(request.url), which Starlette rebuilds from Host
  json-compact  json.dumps(await request.json(), separators=(",", ":")) is what gets signed
"""
import argparse
import asyncio
import json
import socket

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import naive_options  # noqa: E402  (puts Examples/python on the path)
from ppg_signature import VerificationError, verify  # noqa: E402

app = FastAPI()
config = argparse.Namespace()


@app.post("/ppg/webhook")
async def webhook(request: Request):
    body = await request.body()
    query = request.scope["query_string"].decode("latin-1")
    url = config.public_url.split("?")[0] + ("?" + query if query else "")
    if "request-url" in config.bugs:
        url = str(request.url)
    if "json-compact" in config.bugs:
        try:
            body = json.dumps(json.loads(body), separators=(",", ":")).encode()
        except ValueError:
            return JSONResponse({"error": "malformed-body"}, status_code=400)
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.scope["headers"]]
    if "no-verify" not in config.bugs:
        try:
            verify(config.project_id.encode(), config.scheme, config.encoding, url, headers, body)
        except VerificationError as error:
            return JSONResponse({"error": error.kind}, status_code=400 if error.kind == "unreadable-body" else 401)
    try:
        delivery = json.loads(body)
    except (ValueError, RecursionError):
        return JSONResponse({"error": "malformed-body"}, status_code=400)
    if not isinstance(delivery, dict):
        return JSONResponse({"error": "not-a-delivery"}, status_code=400)
    return {"ok": True}


def main():
    naive_options.parse(config, {"no-verify", "request-url", "json-compact"})
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((config.host, config.port))
    port = listener.getsockname()[1]
    config.public_url = config.public_url or f"http://{config.host}:{port}/ppg/webhook"
    print(f"listening on http://{config.host}:{port}", flush=True)
    asyncio.run(uvicorn.Server(uvicorn.Config(app, log_level="warning")).serve(sockets=[listener]))


if __name__ == "__main__":
    main()
