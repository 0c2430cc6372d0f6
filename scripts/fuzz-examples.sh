#!/usr/bin/env bash
# fuzz against every example receiver in Examples/ that runs over HTTP, under both profiles (url-params/hex and
# json-body/base64), with a fixed seed: each receiver is started on a free port, fuzzed over HTTP, and stopped.
# Prints a Markdown table (BENCHMARKS.md keeps one): deliveries sent, disagreements (failures and warnings), the
# expected failures the example's own expected-failures.txt lists, time. An example whose stack is not installed is
# a row saying so. Exit 1 if any example disagrees, 0 otherwise.
#
#   scripts/fuzz-examples.sh [--tool PATH] [--seed N] [--runs N] [--only NAME] [--jobs N]
#
# Needs python3 (to read the JSON), and the stacks the examples use (.ci/run installs them).
set -uo pipefail
cd "$(dirname "$0")/.."
tool=.build/release/ppg-conformance seed=1 runs=3000 only="" jobs=4
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "fuzz-examples.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$tool" ] || { echo "fuzz-examples.sh: no $tool (swift build -c release, or --tool PATH)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "fuzz-examples.sh: needs python3" >&2; exit 2; }
work=$(mktemp -d)
receiver=""
stop() {
  if [ -n "$receiver" ]; then kill -9 -- "-$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null; fi
  receiver=""
}
trap 'stop; rm -rf "$work"' EXIT

# name | what must be installed (a command that succeeds) | how to start it
examples=(
  "python|python3 -c ''|python3 Examples/python/receiver.py"
  "flask|python3 -c 'import flask'|python3 Examples/flask/app.py"
  "fastapi|python3 -c 'import fastapi, uvicorn'|python3 Examples/fastapi/app.py"
  "django|python3 -c 'import django, gunicorn'|python3 Examples/django/app.py"
  "node|node -e ''|node Examples/node/receiver.js"
  "express|NODE_PATH=/usr/share/nodejs node -e 'require(\"express\")'|env NODE_PATH=/usr/share/nodejs node Examples/express/app.js"
  "go|go version|$work/ppg-example-go"
  "php|php -r 'exit(function_exists(\"pcntl_fork\") ? 0 : 1);'|php Examples/php/serve.php"
  "sinatra|ruby -e 'require \"sinatra/base\"; require \"puma\"'|ruby Examples/sinatra/app.rb"
  "java|java -version|java Examples/java/Receiver.java"
  "swift|test -x .build/release/ppg-example-receiver|.build/release/ppg-example-receiver"
)

echo "| example | profile | sent | either | disagreements | warnings | expected (listed) | time |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |"
failed=0
for entry in "${examples[@]}"; do
  IFS='|' read -r name check start <<< "$entry"
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  if ! (eval "$check") >/dev/null 2>&1; then
    echo "| $name | | | | | | not installed | |"
    continue
  fi
  if [ "$name" = go ] && ! (cd Examples/go && go build -o "$work/ppg-example-go" . ) >/dev/null 2>&1; then
    echo "| $name | | | | | | go build failed | |"
    continue
  fi
  for profile in "url-params hex" "json-body base64"; do
    read -r scheme encoding <<< "$profile"
    log="$work/$name-$scheme.log"
    # Created before the receiver starts, so that the wait below never reads a file not yet opened.
    : > "$log"
    # A process group of its own, so that the receiver and its workers stop together.
    setsid bash -c "exec $start --project-id example-project --port 0 --scheme $scheme --encoding $encoding" \
      > "$log" 2>&1 &
    receiver=$!
    port=""
    for _ in $(seq 200); do
      port=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/.*://')
      [ -n "$port" ] && break
      sleep 0.1
    done
    if [ -z "$port" ]; then
      echo "| $name | $scheme/$encoding | | | | | did not start | |"
      stop
      continue
    fi
    extra=()
    [ -f "Examples/$name/expected-failures.txt" ] && extra=(--expected-failures "Examples/$name/expected-failures.txt")
    "$tool" fuzz --target "http://127.0.0.1:$port/ppg/webhook" --project-id example-project --scheme "$scheme" \
      --encoding "$encoding" --seed "$seed" --runs "$runs" --jobs "$jobs" "${extra[@]}" \
      --json "$work/$name-$scheme.json" --out "$work/$name-$scheme-found" > "$work/$name-$scheme.txt" 2>&1
    status=$?
    stop
    if [ ! -s "$work/$name-$scheme.json" ]; then
      echo "| $name | $scheme/$encoding | | | | | error (exit $status): $(tail -n 1 "$work/$name-$scheme.txt") | |"
      failed=1
      continue
    fi
    python3 - "$work/$name-$scheme.json" "$name" "$scheme/$encoding" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
found = report["disagreements"]
failures = [d for d in found if d["level"] == "required"]
warnings = [d for d in found if d["level"] == "recommended"]
expected = ", ".join(f"{k} × {v}" for k, v in sorted(report.get("expectedFailures", {}).items())) or "0"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {report['runs']} | {report['either']} | {len(failures)} | "
      f"{len(warnings)} | {expected} | {float(report['seconds']):.1f} s |")
PY
    if [ "$status" -ne 0 ]; then
      failed=1
      { echo "== $name $scheme/$encoding"; grep -v '^fuzz: seed' "$work/$name-$scheme.txt" | head -n 40; } >&2
    fi
  done
done
exit "$failed"
