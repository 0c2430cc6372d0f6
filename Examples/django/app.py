"""A PushPushGo webhook receiver on Django, served by gunicorn, in one file.

    python3 Examples/django/app.py --project-id YOUR_ID [--port 8080] [--public-url https://you.example/ppg/webhook]

Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port). The lines that matter are marked.
In a Django project, the view below goes in views.py and its path in urls.py; nothing else is needed.
"""
import argparse
import json
import os
import sys

import django
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from ppg_signature import VerificationError, verify  # noqa: E402  (the verifier beside the Python example)

config = argparse.Namespace()


@csrf_exempt  # a webhook carries no CSRF token; its signature is the check
def webhook(request):
    if request.method != "POST":
        response = JsonResponse({"error": "method-not-allowed"}, status=405)
        response["Allow"] = "POST"
        return response
    if "CONTENT_LENGTH" not in request.META and "HTTP_TRANSFER_ENCODING" in request.META:
        # Django reads a WSGI body by its Content-Length only, so a chunked one would read as empty and fail
        # verification: 411 says why (RFC 9110 §15.5.12).
        return JsonResponse({"error": "length-required"}, status=411)
    # 1. The raw body, as received (request.body), at most 1 MiB: never request.POST or a parsed model.
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": "body-too-large"}, status=413)
    # 2. The URL as configured in PushPushGo plus the query exactly as it arrived (gunicorn's RAW_URI is the raw
    #    request-target): never request.build_absolute_uri(), which Django builds from Host (and, with
    #    USE_X_FORWARDED_HOST, from X-Forwarded-Host), both sent by the client.
    raw_target = request.META.get("RAW_URI") or request.get_full_path()
    query = raw_target[raw_target.index("?"):] if "?" in raw_target else ""
    url = config.public_url.split("?")[0] + query
    # 3. Every X-PPG-Signature field, so that two of them are refused: WSGI servers join repeated fields with ",",
    #    and no signature contains a comma.
    joined = request.META.get("HTTP_X_PPG_SIGNATURE")
    headers = [("X-PPG-Signature", value) for value in joined.split(",")] if joined is not None else []
    if "CONTENT_TYPE" in request.META:
        headers.append(("Content-Type", request.META["CONTENT_TYPE"]))
    try:
        verify(config.project_id.encode(), config.scheme, config.encoding, url, headers, body)
    except VerificationError as error:
        return JsonResponse({"error": error.kind}, status=400 if error.kind == "unreadable-body" else 401)
    # 4. The body is a delivery for this project: the configured projectId, never only a valid signature.
    try:
        delivery = json.loads(body)
    except (ValueError, RecursionError):
        return JsonResponse({"error": "malformed-body"}, status=400)
    if not isinstance(delivery, dict) or not isinstance(delivery.get("projectId"), str):
        return JsonResponse({"error": "not-a-delivery"}, status=400)
    if delivery["projectId"] != config.project_id:
        return JsonResponse({"error": "project-mismatch"}, status=403)
    # Handle the event here (delivery.get("kind"), delivery.get("ppgId") …), idempotently: replays are possible.
    return JsonResponse({"ok": True})


urlpatterns = [path("ppg/webhook", webhook)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--public-url")
    parser.add_argument("--scheme", choices=["url-params", "json-body"], default="url-params")
    parser.add_argument("--encoding", choices=["hex", "base64"], default="hex")
    parser.parse_args(namespace=config)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="not-used-by-this-receiver",
        ROOT_URLCONF=__name__,
        # Only the address served; Django answers 400 to any other Host before the view runs.
        ALLOWED_HOSTS=[config.host],
        MIDDLEWARE=[],
        DATA_UPLOAD_MAX_MEMORY_SIZE=1 << 20,  # request.body past 1 MiB raises RequestDataTooBig: 413 above
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{config.host}:{config.port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")
            self.cfg.set("when_ready", self.ready)

        @staticmethod
        def ready(server):
            port = server.LISTENERS[0].sock.getsockname()[1]
            # Without --public-url, the URL verified is the address served, never one taken from the request.
            config.public_url = config.public_url or f"http://{config.host}:{port}/ppg/webhook"
            print(f"listening on http://{config.host}:{port}", flush=True)

        def load(self):
            return application

    Server().run()


if __name__ == "__main__":
    main()
