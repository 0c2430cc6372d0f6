#!/usr/bin/env bash
# What the diagnosis names first for naive receivers (Tests/Fixtures/naive: one per stack of Examples/, each written
# the way that stack's tutorials write one, with the bugs real receivers have — one, two or three at once, chosen by
# --bug): runs `run --target` against each and prints a Markdown table of the first-ranked cause (a setting or a
# known bug), whether a probe confirmed it, and the whole run's time. A row whose stack is not installed says so.
# The Swift stack's naive receiver runs in-process in Examples/swift-receiver's tests.
#
#   scripts/diagnose-naive.sh [--tool PATH] [--only REGEX]
set -uo pipefail
cd "$(dirname "$0")/.."
tool=.build/release/ppg-conformance
only="."
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "diagnose-naive.sh: unknown option '$1' (--tool PATH, --only REGEX)" >&2; exit 2 ;;
  esac
done
[ -x "$tool" ] || { echo "diagnose-naive.sh: no $tool (swift build -c release, or --tool PATH)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "diagnose-naive.sh: needs python3" >&2; exit 2; }
work=$(mktemp -d)
receiver=""
stop() {
  if [ -n "$receiver" ]; then kill -9 "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null; fi
  receiver=""
}
trap 'stop; rm -rf "$work"' EXIT

naive=Tests/Fixtures/naive
go_binary="$work/naive-go"
(cd /tmp && go build -o "$go_binary" "$OLDPWD/$naive/go/main.go") >/dev/null 2>&1 || go_binary=""
java_classes="$work/java"
javac -d "$java_classes" Examples/java/Receiver.java "$naive/NaiveReceiver.java" >/dev/null 2>&1 || java_classes=""
has_python() { python3 -c "import $1" >/dev/null 2>&1; }

# stack | bugs | scheme encoding
cases=(
  "python|no-verify|url-params hex"
  "python|url-host|url-params hex"
  "python|url-forwarded|url-params hex"
  "python|json-dumps|json-body hex"
  "python|json-compact|json-body hex"
  "python|json-unicode|json-body base64"
  "python|unpadded|url-params base64"
  "python|url-host,json-compact|url-params hex"
  "python|url-forwarded,unpadded|url-params base64"
  "python|url-host,json-unicode,unpadded|json-body base64"
  "node|stringify|json-body hex"
  "node|url-host|url-params hex"
  "node|utf16-sort|url-params hex"
  "node|stringify,url-host|url-params hex"
  "go|marshal|json-body hex"
  "go|url-host|url-params base64"
  "go|marshal,url-host|json-body hex"
  "flask|request-url|url-params hex"
  "flask|proxyfix|url-params hex"
  "flask|get-json|json-body hex"
  "fastapi|no-verify|url-params hex"
  "fastapi|request-url|url-params hex"
  "fastapi|json-compact|json-body base64"
  "django|absolute-uri|url-params hex"
  "django|forwarded-host|url-params hex"
  "django|json-dumps|json-body hex"
  "express|stringify|json-body hex"
  "express|req-host|url-params hex"
  "express|trust-proxy|url-params hex"
  "express|stringify,req-host|url-params hex"
  "php|json-encode|json-body hex"
  "php|json-encode-unescaped|json-body hex"
  "php|http-host|url-params hex"
  "php|http-host,json-encode,unpadded|url-params base64"
  "sinatra|request-url|url-params hex"
  "sinatra|to-json|json-body hex"
  "sinatra|request-url,to-json|url-params hex"
  "java|host-header|url-params hex"
  "java|without-padding|json-body base64"
  "java|host-header,without-padding|url-params base64"
)
echo "| bugs | profile | failed | first cause | confirmed | diagnosis + probes |"
echo "| --- | --- | ---: | --- | --- | ---: |"
for entry in "${cases[@]}"; do
  [[ "$entry" =~ $only ]] || continue
  IFS='|' read -r stack bugs profile <<< "$entry"
  read -r scheme encoding <<< "$profile"
  log="$work/receiver.log"
  # Emptied before the receiver starts: otherwise the wait for its port can read the last receiver's before the
  # new one's redirection truncates the file.
  : > "$log"
  options=(--project-id naive-project --port 0 --scheme "$scheme" --encoding "$encoding" --bug "$bugs")
  missing=""
  case "$stack" in
    python) python3 "$naive/receiver.py" "${options[@]}" > "$log" 2>&1 & ;;
    flask) if has_python flask; then python3 "$naive/flask_app.py" "${options[@]}" > "$log" 2>&1 & else missing=flask; fi ;;
    fastapi)
      if has_python "fastapi, uvicorn"; then python3 "$naive/fastapi_app.py" "${options[@]}" > "$log" 2>&1 &
      else missing="fastapi or uvicorn"; fi ;;
    django)
      if has_python "django, gunicorn"; then python3 "$naive/django_app.py" "${options[@]}" > "$log" 2>&1 &
      else missing="django or gunicorn"; fi ;;
    node) if command -v node >/dev/null; then node "$naive/receiver.js" "${options[@]}" > "$log" 2>&1 & else missing=node; fi ;;
    express)
      if NODE_PATH=/usr/share/nodejs node -e "require('express')" >/dev/null 2>&1; then
        NODE_PATH=/usr/share/nodejs node "$naive/express.js" "${options[@]}" > "$log" 2>&1 &
      else missing=express; fi ;;
    go) if [ -n "$go_binary" ]; then "$go_binary" "${options[@]}" > "$log" 2>&1 & else missing="go (or it did not build)"; fi ;;
    php)
      if command -v php >/dev/null; then
        # PHP's built-in server with the naive router, configured from the environment as Examples/php/serve.php does.
        php_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        PPG_PROJECT_ID=naive-project PPG_PUBLIC_URL="http://127.0.0.1:$php_port/ppg/webhook" PPG_SCHEME="$scheme" \
          PPG_ENCODING="$encoding" PPG_BUGS="$bugs" php -q -S "127.0.0.1:$php_port" "$naive/receiver.php" > /dev/null 2>&1 &
        echo "listening on http://127.0.0.1:$php_port" > "$log"
        for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$php_port") 2>/dev/null && break; sleep 0.1; done
      else missing=php; fi ;;
    sinatra)
      if ruby -e "require 'sinatra/base'; require 'puma'" >/dev/null 2>&1; then
        ruby "$naive/sinatra.rb" "${options[@]}" > "$log" 2>&1 &
      else missing="ruby-sinatra or puma"; fi ;;
    java)
      if [ -n "$java_classes" ]; then java -cp "$java_classes" NaiveReceiver "${options[@]}" > "$log" 2>&1 &
      else missing="a JDK (javac)"; fi ;;
  esac
  if [ -n "$missing" ]; then echo "| $stack: $bugs | $scheme/$encoding | | $missing is not installed | | |"; continue; fi
  receiver=$!
  port=""
  for _ in $(seq 300); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/.*://')
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -z "$port" ] && { echo "| $stack: $bugs | $scheme/$encoding | | did not start | | |"; stop; continue; }
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
    behind = [f"{d['mutant']}, explains {len(d['explains'])}" for d in diagnosis if d.get("behind")]
    if behind:
        cause += "; behind it: " + "; ".join(behind)
else:
    cause = first["mutant"] + (f" (or {', '.join(first['indistinguishableFrom'])})" if first["indistinguishableFrom"] else "")
    cause += f", explains {len(first['explains'])}"
    confirmed = "yes" if first.get("confirmed") else ""
    if first.get("member"):
        confirmed += ": " + first["member"].split(": ")[0].replace("|", "\\|")
total = float(sys.argv[5]) - float(sys.argv[4])
print(f"| {sys.argv[2]} | {sys.argv[3]} | {report['summary']['failed']} | {cause} | {confirmed} | {total:.1f} s (whole run) |")
PY
done
