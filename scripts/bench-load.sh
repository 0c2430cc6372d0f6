#!/usr/bin/env bash
# `load` beside wrk against the same receiver, the same connections, runs alternating, in one script: requests/s,
# the ratio, and CPU time per request of each generator (/usr/bin/time). Needs wrk and curl (apt-get install wrk
# curl); https also needs openssl and python3.
#
# Usage: scripts/bench-load.sh [seconds] [runs]
#   PPG_RECEIVER=serve (default) | flask     the receiver: the project's `serve`, or the Flask example under its
#                                            development server (where the receiver is the bottleneck)
#   PPG_HTTPS=1                              https to a TLS-terminating wrapper, wrk over https beside load
#   PPG_CONNECTIONS=32                       connections for both (wrk with 2 threads, load one loop per core)
#   PPG_BEFORE=path/to/ppg-conformance       also run an earlier build's `load` in the same rotation
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
runs=${2:-3}
connections=${PPG_CONNECTIONS:-32}
receiver=${PPG_RECEIVER:-serve}
project=5f2a8b3c9d1e4f6a7b8c9d0e
swift build -c release --product ppg-conformance >/dev/null
tool=${PPG_TOOL:-.build/release/ppg-conformance}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case "$receiver" in
  serve)
    "$tool" serve --project-id "$project" --port 0 > "$work/receiver.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do grep -q 'serving on' "$work/receiver.log" && break; sleep 0.1; done
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/receiver.log" | head -n 1 | sed 's/.*://')
    path=/ppg/webhook
    ;;
  flask)
    port=$(free_port)
    path=/ppg/webhook
    python3 Examples/flask/app.py --port "$port" --project-id "$project" \
      --public-url "http://127.0.0.1:$port$path" > "$work/receiver.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    ;;
  *) echo "PPG_RECEIVER must be serve or flask"; exit 2 ;;
esac

scheme=http
insecure=
target_port=$port
if [ "${PPG_HTTPS:-}" = 1 ]; then
  # A TLS wrapper in front of the receiver: both generators pay the same handshakes and record layer.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
  target_port=$(free_port)
  python3 - "$target_port" "$port" "$work/cert.pem" "$work/key.pem" > "$work/tls.log" 2>&1 <<'PY' &
import socket, ssl, sys, threading
listen, upstream, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
def pipe(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for s in (source, sink):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
def serve(client):
    try:
        secure = context.wrap_socket(client, server_side=True)
    except (OSError, ssl.SSLError):
        return
    plain = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=pipe, args=(plain, secure), daemon=True).start()
    pipe(secure, plain)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen))
server.listen(512)
print("ready", flush=True)
while True:
    client, _ = server.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
PY
  pids+=($!)
  for _ in $(seq 50); do grep -q ready "$work/tls.log" && break; sleep 0.1; done
  scheme=https
  insecure=1
fi
url="$scheme://127.0.0.1:$target_port$path"
public="http://127.0.0.1:$port$path"

body='{"projectId":"'$project'","customId":"user-1","ppgId":"6f1e2d3c4b5a69788796a5b4","kind":"subscriber:update"}'
signature=$("$tool" sign --key "$project" --url "$public" --body "$body")
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-PPG-Signature"] = "$signature"
LUA
status=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "X-PPG-Signature: $signature" --data-binary "$body" "$url")
[ "$status" = 200 ] || { echo "the wrk delivery is not accepted ($status)"; exit 1; }

# CPU seconds (user + system) per request, in microseconds, from /usr/bin/time's output file.
per_request() { awk -v n="$2" '{print int(($1 + $2) * 1e6 / n)}' "$1"; }
run_wrk() {
  /usr/bin/time -f '%U %S' -o "$work/time" wrk -t2 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$url" \
    > "$work/wrk.out"
  local rate count
  rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  count=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "$rate $(per_request "$work/time" "$count")"
}
run_load() {
  /usr/bin/time -f '%U %S' -o "$work/time" "$1" load --target "$url" --project-id "$project" \
    --public-url "$public" --connections "$connections" --duration "$seconds" ${insecure:+--insecure} \
    --json "$work/load.json" > "$work/load.out" 2>/dev/null || { tail -n 3 "$work/load.out"; exit 1; }
  local rate cpu
  rate=$(tail -n 1 "$work/load.out" | awk '{print $1}')
  # load's own figure: its CPU during the run, without signing its deliveries before the clock (the whole
  # process, signing included, is the second figure).
  cpu=$(python3 -c "import json; d = json.load(open('$work/load.json')); print(round(d.get('cpuMicrosecondsPerRequest', 0)))")
  echo "$rate $cpu/$(per_request "$work/time" "$(python3 -c "import json; print(json.load(open('$work/load.json'))['requests'])")")"
}

echo "receiver: $receiver over $scheme, $connections connections, ${seconds} s a run, $runs runs alternating"
printf '| run | wrk -t2 -c%s | load -c%s | load / wrk | CPU µs/request wrk | load (run / whole process) |' "$connections" "$connections"
[ -n "${PPG_BEFORE:-}" ] && printf ' load before | before / wrk |'
echo
echo "| --- | --- | --- | --- | --- | --- |$( [ -n "${PPG_BEFORE:-}" ] && echo ' --- | --- |')"
for run in $(seq "$runs"); do
  read -r wrk_rate wrk_cpu < <(run_wrk)
  read -r load_rate load_cpu < <(run_load "$tool")
  line="| $run | $wrk_rate | $load_rate | $(python3 -c "print(f'{$load_rate / $wrk_rate:.2f}x')") | $wrk_cpu | $load_cpu |"
  if [ -n "${PPG_BEFORE:-}" ]; then
    read -r before_rate _ < <(run_load "$PPG_BEFORE")
    line="$line $before_rate | $(python3 -c "print(f'{$before_rate / $wrk_rate:.2f}x')") |"
  fi
  echo "$line"
done
