#!/usr/bin/env bash
# serve's throughput beside wrk, and its answer time for a valid delivery while idle and slowloris connections are
# held, for this checkout's release build and, optionally, another build of the tool (an older commit) in the same
# run. Loopback only. Needs wrk (apt-get install wrk) and python3.
# Usage: scripts/bench-serve.sh [SECONDS] [OTHER_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
swift build -c release --product ppg-conformance >/dev/null
binaries=(".build/release/ppg-conformance")
[ -n "${2:-}" ] && binaries+=("$2")
project=5f2a8b3c9d1e4f6a7b8c9d0e
for tool in "${binaries[@]}"; do
  work=$(mktemp -d)
  "$tool" serve --project-id "$project" --port 0 > "$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q 'serving on' "$work/serve.log" && break; sleep 0.1; done
  url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -n 1)/ppg/webhook"
  body='{"projectId":"'$project'","customId":"user-1","ppgId":"6f1e2d3c4b5a69788796a5b4","kind":"subscriber:update"}'
  signature=$("$tool" sign --key "$project" --url "$url" --body "$body")
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-PPG-Signature"] = "%s"\n' \
    "'$body'" "$signature" > "$work/post.lua"
  rate=$(wrk -t2 -c32 -d"${seconds}s" -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
  echo "$tool: wrk -t2 -c32 against serve: $rate requests/s"
  python3 scripts/bench-serve-hostile.py "$url" "$project" "$tool" 10000 300 "${ROUNDS:-20}" | sed "s|^|$tool: |"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
done
