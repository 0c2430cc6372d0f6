#!/usr/bin/env bash
# What the diagnosis names first for naive receivers (Tests/Fixtures/naive: receiver.py is Examples/python with the
# bugs real receivers have, one, two or three at once; receiver.js and go/main.go are written the way Node and Go
# tutorials write one): runs `run --target` against each and prints a Markdown table of the first-ranked cause (a
# setting or a known bug), whether a probe confirmed it, and the whole run's time. Needs python3; the Node and Go rows
# need node and go (a row says when one is missing).
#
#   scripts/diagnose-naive.sh [--tool PATH]
set -uo pipefail
cd "$(dirname "$0")/.."
tool=.build/release/ppg-conformance
[ "${1:-}" = "--tool" ] && tool="$2"
[ -x "$tool" ] || { echo "diagnose-naive.sh: no $tool (swift build -c release, or --tool PATH)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "diagnose-naive.sh: needs python3" >&2; exit 2; }
work=$(mktemp -d)
receiver=""
stop() {
  if [ -n "$receiver" ]; then kill -9 "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null; fi
  receiver=""
}
trap 'stop; rm -rf "$work"' EXIT

go_binary="$work/naive-go"
(cd /tmp && go build -o "$go_binary" "$OLDPWD/Tests/Fixtures/naive/go/main.go") >/dev/null 2>&1 || go_binary=""

# stack | bugs | scheme encoding
cases=(
  "node|stringify|json-body hex"
  "node|url-host|url-params hex"
  "node|utf16-sort|url-params hex"
  "node|stringify,url-host|url-params hex"
  "go|marshal|json-body hex"
  "go|url-host|url-params base64"
  "go|marshal,url-host|json-body hex"
  "no-verify|url-params hex"
  "url-host|url-params hex"
  "url-forwarded|url-params hex"
  "json-dumps|json-body hex"
  "json-compact|json-body hex"
  "json-unicode|json-body base64"
  "unpadded|url-params base64"
  "url-host,json-compact|url-params hex"
  "url-forwarded,unpadded|url-params base64"
  "url-host,json-unicode,unpadded|json-body base64"
)
echo "| bugs | profile | failed | first cause | confirmed | diagnosis + probes |"
echo "| --- | --- | ---: | --- | --- | ---: |"
for entry in "${cases[@]}"; do
  stack=python
  case "$entry" in node\|*|go\|*) stack="${entry%%|*}"; entry="${entry#*|}" ;; esac
  IFS='|' read -r bugs profile <<< "$entry"
  read -r scheme encoding <<< "$profile"
  log="$work/receiver.log"
  options=(--project-id naive-project --port 0 --scheme "$scheme" --encoding "$encoding" --bug "$bugs")
  case "$stack" in
    python) python3 Tests/Fixtures/naive/receiver.py "${options[@]}" > "$log" 2>&1 & ;;
    node)
      command -v node >/dev/null || { echo "| node: $bugs | | | node is not installed | | |"; continue; }
      node Tests/Fixtures/naive/receiver.js "${options[@]}" > "$log" 2>&1 & ;;
    go)
      [ -n "$go_binary" ] || { echo "| go: $bugs | | | go is not installed or did not build | | |"; continue; }
      "$go_binary" "${options[@]}" > "$log" 2>&1 & ;;
  esac
  receiver=$!
  port=""
  for _ in $(seq 100); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/.*://')
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -z "$port" ] && { echo "| $bugs | $scheme/$encoding | | did not start | | |"; stop; continue; }
  start=$(date +%s.%N)
  "$tool" run --target "http://127.0.0.1:$port/ppg/webhook" --project-id naive-project --scheme "$scheme" \
    --encoding "$encoding" --json "$work/report.json" > "$work/run.txt" 2>&1
  end=$(date +%s.%N)
  stop
  python3 - "$work/report.json" "$stack: $bugs" "$scheme/$encoding" "$start" "$end" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
diagnosis = report.get("diagnosis", [])
first = diagnosis[0] if diagnosis else None
if first is None:
    cause, confirmed = "none", ""
elif first["kind"] == "setting":
    cause, confirmed = f"setting {first['setting']}" + (f" (works: {first['works']})" if first.get("works") else ""), ""
else:
    cause = first["mutant"] + (f" (or {', '.join(first['indistinguishableFrom'])})" if first["indistinguishableFrom"] else "")
    cause += f", explains {len(first['explains'])}"
    confirmed = "yes" if first.get("confirmed") else ""
total = float(sys.argv[5]) - float(sys.argv[4])
print(f"| {sys.argv[2]} | {sys.argv[3]} | {report['summary']['failed']} | {cause} | {confirmed} | {total:.1f} s (whole run) |")
PY
done
