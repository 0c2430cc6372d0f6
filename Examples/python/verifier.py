#!/usr/bin/env python3
"""A verifier speaking ppg-conformance's pipe protocol: one JSON request per line in, one answer per line out.

    ppg-conformance run --exec "python3 Examples/python/verifier.py"
"""
import base64
import json
import sys

from ppg_signature import VerificationError, verify


def answer(request):
    key = base64.b64decode(request["keyBase64"])
    try:
        verify(key, request["scheme"], request["encoding"], request["url"],
               [(name, value) for name, value in request["headers"]], base64.b64decode(request["bodyBase64"]))
    except VerificationError as error:
        return {"id": request["id"], "accept": False, "reason": str(error)}
    return {"id": request["id"], "accept": True}


def main():
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.write(json.dumps(answer(request)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
