#!/usr/bin/env bash
# `load` beside wrk against the project's own `serve` on loopback, 32 connections, the same signed delivery,
# in one run; prints both figures and the ratio. Needs wrk (apt-get install wrk).
# Usage: scripts/bench-load.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
project=5f2a8b3c9d1e4f6a7b8c9d0e
swift build -c release --product ppg-conformance >/dev/null
tool=.build/release/ppg-conformance
work=$(mktemp -d)
"$tool" serve --project-id "$project" --port 0 > "$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q 'serving on' "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -n 1)
url="$base/ppg/webhook"
body='{"projectId":"'$project'","customId":"user-1","ppgId":"6f1e2d3c4b5a69788796a5b4","kind":"subscriber:update"}'
signature=$("$tool" sign --key "$project" --url "$url" --body "$body")
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-PPG-Signature"] = "$signature"
LUA
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "X-PPG-Signature: $signature" --data-binary "$body" "$url")
[ "$status" = 200 ] || { echo "the wrk delivery is not accepted ($status)"; exit 1; }
wrk_rate=$(wrk -t2 -c32 -d"${seconds}s" -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
load_rate=$("$tool" load --target "$url" --project-id "$project" --connections 32 --duration "$seconds" \
  | tail -n 1 | awk '{print $1}')
echo "wrk -t2 -c32 against serve:   $wrk_rate requests/s"
echo "ppg-conformance load -c32:    $load_rate requests/s"
python3 -c "print(f'ratio load / wrk: {float($load_rate) / float($wrk_rate):.2f}x')"
