#!/usr/bin/env bash
# fuzz throughput beside run: in-process (the reference, and a mutant) and over HTTP against `serve`, with `run` of
# the corpus against the same `serve` in the same script, so that runs/s is quoted as a ratio to run's deliveries/s.
#
#   scripts/bench-fuzz.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20000}"
swift build -c release >/dev/null
tool=.build/release/ppg-conformance
work=$(mktemp -d)
"$tool" serve --project-id bench --port 0 > "$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q 'serving on' "$work/serve.log" && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -n 1)/ppg/webhook"
rate() { sed -n 's/.* sent in \([0-9.]*\) s (\([0-9]*\)\/s).*/\2/p' "$1"; }
"$tool" fuzz --seed 1 --runs "$runs" > "$work/in-process.txt"
"$tool" fuzz --seed 1 --runs "$runs" --target "$url" --project-id bench > "$work/http.txt"
start=$(date +%s.%N)
"$tool" run --target "$url" --project-id bench --vectors vectors --json "$work/run.json" > "$work/run.txt"
end=$(date +%s.%N)
deliveries=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(o.get('deliveries', [])) or 1 for o in r['outcomes'] if o['kind']=='receiver' and o['status']!='skip'))" "$work/run.json")
run_rate=$(python3 -c "print(int($deliveries / ($end - $start)))")
echo "fuzz in-process (reference):  $(rate "$work/in-process.txt") runs/s   ($(tail -n 1 "$work/in-process.txt"))"
echo "fuzz over HTTP against serve: $(rate "$work/http.txt") runs/s   ($(tail -n 1 "$work/http.txt"))"
echo "run of the corpus, same serve: $run_rate receiver vectors/s ($deliveries in $(python3 -c "print(round($end - $start, 2))") s, with start-up and the preflight)"
echo "fuzz over HTTP / run: $(python3 -c "print(round($(rate "$work/http.txt") / $run_rate, 2))")x"
