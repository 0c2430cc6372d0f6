#!/usr/bin/env python3
"""Validates every corpus file against vectors/schema/*.json (JSON Schema 2020-12), so the schemas editors use
and the Swift loader never drift apart. Needs the `jsonschema` package."""
import json, pathlib, sys
from jsonschema import Draft202012Validator

root = pathlib.Path(__file__).resolve().parent.parent / "vectors"
schemas = {p.stem: json.loads(p.read_text()) for p in (root / "schema").glob("*.json")}
for schema in schemas.values():
    Draft202012Validator.check_schema(schema)
failures = 0
files = sorted((root / "v1").rglob("*.json"))
for path in files:
    document = json.loads(path.read_text())
    kind = "manifest" if path.name == "manifest.json" else document.get("kind")
    errors = sorted(Draft202012Validator(schemas[kind]).iter_errors(document), key=lambda e: list(e.path))
    for error in errors[:5]:
        failures += 1
        print(f"{path.relative_to(root)}: {'/'.join(map(str, error.path))}: {error.message[:200]}")
print(f"{len(files)} files checked against the JSON schemas: {failures} problems")
sys.exit(1 if failures else 0)
