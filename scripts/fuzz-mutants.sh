#!/usr/bin/env bash
# Does `fuzz` find every mutant receiver with a fixed seed, and how soon? For each mutant (under one profile), runs
# `fuzz --mutant NAME --seed SEED --runs RUNS --first` in-process and prints a Markdown table: the case that first
# disagreed, the shrunk body and signature, the likely cause named. Needs python3 (to read the JSON).
#
#   scripts/fuzz-mutants.sh [--tool PATH] [--seed N] [--runs N] [--scheme S --encoding E]
set -euo pipefail
cd "$(dirname "$0")/.."
tool=.build/release/ppg-conformance seed=1 runs=10000 profile=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --scheme|--encoding) profile+=("$1" "$2"); shift 2 ;;
    *) echo "fuzz-mutants.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$tool" ] || { echo "fuzz-mutants.sh: no $tool (swift build -c release, or --tool PATH)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| mutant | found at case | shrunk body | signature | likely cause named |"
echo "| --- | ---: | --- | --- | --- |"
found=0 total=0
while read -r mutant _; do
  total=$((total + 1))
  set +e
  "$tool" fuzz --mutant "$mutant" --seed "$seed" --runs "$runs" --first "${profile[@]}" --json "$work/$mutant.json" \
    --out "$work/$mutant" > "$work/$mutant.log" 2>&1
  status=$?
  set -e
  python3 - "$work/$mutant.json" "$work/$mutant/receiver/fuzz.json" "$mutant" "$status" <<'PY'
import json, os, sys
report, corpus, mutant, status = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
if status not in ("0", "1"):
    print(f"| {mutant} | error (exit {status}) | | | |")
    sys.exit(3)
found = json.load(open(report))["disagreements"]
# A warning (a recommended class, exit 0) is a finding too: the mutant was told from the reference.
if not found:
    print(f"| {mutant} | not found | | | |")
    sys.exit(3)
result = found[0]
vector = json.load(open(corpus))["vectors"][0]
body = vector["request"].get("body", {}).get("text", "").replace("|", "\\|")
signature = vector.get("signature", {}).get("kind", "valid")
extra = [f"{k}: {v}" for k, v in vector["request"].items() if k != "body"]
causes = ", ".join(result["likelyCauses"]) or "none"
level = " (warning)" if result.get("level") == "recommended" else ""
print(f"| {mutant} | {result['firstRun']}{level} | `{body}`{' ' + '; '.join(extra).replace('|', '/') if extra else ''} | {signature} | {causes} |")
PY
  if [ $? -eq 0 ]; then found=$((found + 1)); fi
done < <("$tool" mutants --list "${profile[@]}")
echo
echo "found: $found of $total mutants within $runs runs (seed $seed)"
