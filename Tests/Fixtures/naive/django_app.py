#!/usr/bin/env python3
"""A naive PushPushGo receiver on Django under gunicorn, with the bugs real Django receivers have, chosen by --bug
(comma-separated), for `scripts/diagnose-naive.sh`. Never a model to copy: see Examples/django/app.py.

    python3 Tests/Fixtures/naive/django_app.py --project-id ID --port 0 --bug absolute-uri,json-dumps

Bugs, each the line a Django receiver has:
  absolute-uri    the URL is request.build_absolute_uri(), built from Host (ALLOWED_HOSTS = ["*"])
  forwarded-host  the same with USE_X_FORWARDED_HOST = True: the host from X-Forwarded-Host
  json-dumps      json.dumps(json.loads(request.body)) is what gets signed
"""
import argparse
import json

import django
from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

import naive_options  # noqa: E402  (puts Examples/python on the path)
from ppg_signature import VerificationError, verify  # noqa: E402

config = argparse.Namespace()


@csrf_exempt
def webhook(request):
    if request.method != "POST":
        return JsonResponse({"error": "method-not-allowed"}, status=405)
    body = request.body
    raw_target = request.META.get("RAW_URI") or request.get_full_path()
    url = config.public_url.split("?")[0] + (raw_target[raw_target.index("?"):] if "?" in raw_target else "")
    if "absolute-uri" in config.bugs or "forwarded-host" in config.bugs:
        url = request.build_absolute_uri()
    if "json-dumps" in config.bugs:
        try:
            body = json.dumps(json.loads(body)).encode()
        except ValueError:
            return JsonResponse({"error": "malformed-body"}, status=400)
    joined = request.META.get("HTTP_X_PPG_SIGNATURE")
    headers = [("X-PPG-Signature", value) for value in joined.split(",")] if joined is not None else []
    if "CONTENT_TYPE" in request.META:
        headers.append(("Content-Type", request.META["CONTENT_TYPE"]))
    try:
        verify(config.project_id.encode(), config.scheme, config.encoding, url, headers, body)
    except VerificationError as error:
        return JsonResponse({"error": error.kind}, status=400 if error.kind == "unreadable-body" else 401)
    return JsonResponse({"ok": True})


urlpatterns = [path("ppg/webhook", webhook)]


def main():
    naive_options.parse(config, {"absolute-uri", "forwarded-host", "json-dumps"})
    settings.configure(
        DEBUG=False, SECRET_KEY="naive", ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], MIDDLEWARE=[],
        USE_X_FORWARDED_HOST="forwarded-host" in config.bugs, LOGGING_CONFIG=None)
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
            config.public_url = config.public_url or f"http://{config.host}:{port}/ppg/webhook"
            print(f"listening on http://{config.host}:{port}", flush=True)

        def load(self):
            return application

    Server().run()


if __name__ == "__main__":
    main()
