#!/usr/bin/env bash
# HMAC-SHA1 over 256-byte messages: the reference beside openssl and Python's hmac, in one run, as ratios.
# Usage: scripts/bench-hmac.sh [seconds]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-2}
swift build -c release --product ppg-conformance >/dev/null
ours=$(.build/release/ppg-conformance bench hmac --bytes 256 --seconds "$seconds" | tail -n 1 | awk '{print $4}')
openssl_kbs=$(openssl speed -seconds "$seconds" -bytes 256 -hmac sha1 2>/dev/null | awk '/^hmac\(sha1\)/ {print $2}' | tr -d k)
openssl_rate=$(python3 -c "print(round(float('$openssl_kbs') * 1000 / 256))")
python_rate=$(python3 - "$seconds" <<'PY'
import hmac, hashlib, sys, time
key, message, seconds = b"benchmark-project-id", bytes(range(256)), float(sys.argv[1])
count, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    for _ in range(2000):
        hmac.new(key, message, hashlib.sha1).digest()
    count += 2000
print(round(count / (time.perf_counter() - start)))
PY
)
echo "ppg-conformance: $ours signatures/s"
echo "openssl speed:   $openssl_rate signatures/s"
echo "python hmac:     $python_rate signatures/s"
python3 -c "print(f'ratio vs openssl: {$ours/$openssl_rate:.2f}x   ratio vs python hmac: {$ours/$python_rate:.2f}x')"
