"""Verify PushPushGo X-PPG-Signature headers with the Python standard library only.

The reading is the one in SPEC.md of ppg-webhook-conformance: HMAC-SHA1 keyed with the projectId you configured
(never the body's), over either the URL followed by the sorted POST parameters (``url-params``) or the raw body
(``json-body``), written as lowercase hex or padded base64.
"""
import base64
import hashlib
import hmac
import json
import urllib.parse

__all__ = ["signing_input", "verify", "VerificationError"]


class VerificationError(Exception):
    """Why a delivery was rejected; ``kind`` is one of missing, several, empty, malformed, wrong-length,
    unreadable-body, mismatch."""

    def __init__(self, kind, message):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


_decoder = json.JSONDecoder(strict=True)
_WS = " \t\r\n"


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _json_members(body: bytes):
    """Top-level members of a JSON object as (name, value-bytes); strings decoded, null left out, everything else
    as its exact text. raw_decode gives each value's end, so numbers and nested values keep their bytes."""
    if body.startswith(b"\xef\xbb\xbf"):
        raise ValueError("byte order mark")
    text = body.decode("utf-8")  # strict: invalid UTF-8 raises
    decoder = json.JSONDecoder(strict=True, parse_constant=_reject_constant)
    i = len(text) - len(text.lstrip(_WS))
    if i >= len(text) or text[i] != "{":
        raise ValueError("not a JSON object")
    i += 1
    members = []
    first = True
    while True:
        while i < len(text) and text[i] in _WS:
            i += 1
        if i < len(text) and text[i] == "}" and first:
            i += 1
            break
        if i >= len(text) or text[i] != '"':
            raise ValueError("expected a member name")
        name, i = decoder.raw_decode(text, i)
        while i < len(text) and text[i] in _WS:
            i += 1
        if i >= len(text) or text[i] != ":":
            raise ValueError("expected ':'")
        i += 1
        while i < len(text) and text[i] in _WS:
            i += 1
        start = i
        value, i = decoder.raw_decode(text, i)
        raw = text[start:i]
        if isinstance(value, str):
            members.append((name.encode("utf-8"), value.encode("utf-8")))  # a lone surrogate raises here
        elif value is not None:
            members.append((name.encode("utf-8"), raw.encode("utf-8")))
        while i < len(text) and text[i] in _WS:
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
            first = False
            continue
        if i < len(text) and text[i] == "}":
            i += 1
            break
        raise ValueError("expected ',' or '}'")
    if text[i:].strip(_WS):
        raise ValueError("data after the JSON object")
    return members


def _form_members(body: bytes):
    pairs = urllib.parse.parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


def signing_input(scheme: str, url: str, body: bytes, content_type: str | None) -> bytes:
    """The bytes the HMAC covers. Raises ValueError when url-params cannot read the body."""
    if scheme == "json-body":
        return body
    if not body:
        members = []
    elif content_type and content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        members = _form_members(body)
    else:
        members = _json_members(body)
    members.sort()
    return url.encode("utf-8") + b"".join(name + value for name, value in members)


def verify(project_id: bytes, scheme: str, encoding: str, url: str, headers, body: bytes) -> None:
    """Raises VerificationError unless the delivery carries exactly one valid X-PPG-Signature.

    ``headers`` is a list of (name, value) pairs in order; ``project_id`` the configured projectId's bytes."""
    values = [value for name, value in headers if name.lower() == "x-ppg-signature"]
    if not values:
        raise VerificationError("missing", "no X-PPG-Signature header")
    if len(values) > 1:
        raise VerificationError("several", f"{len(values)} X-PPG-Signature headers")
    presented = values[0].strip(" \t")
    if not presented:
        raise VerificationError("empty", "the header is empty")
    content_type = next((value for name, value in reversed(headers) if name.lower() == "content-type"), None)
    try:
        data = signing_input(scheme, url, body, content_type)
    except (ValueError, RecursionError) as error:  # RecursionError: hostile nesting
        raise VerificationError("unreadable-body", str(error)) from None
    digest = hmac.new(project_id, data, hashlib.sha1).digest()
    if encoding == "hex":
        expected, presented = digest.hex(), presented.lower()
    else:
        expected = base64.b64encode(digest).decode("ascii")
    if len(presented) != len(expected):
        raise VerificationError("wrong-length", f"{len(presented)} characters, expected {len(expected)}")
    if not hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode("ascii")):
        raise VerificationError("mismatch", "signature does not match")
