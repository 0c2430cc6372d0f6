#!/usr/bin/env bash
# Mutation testing of this project's own test suite, in a scratch copy of the checkout (uncommitted edits and new
# files included), so the checkout itself is never touched. Needs python3. scripts/mutate.py does the work:
#
#   scripts/mutate.sh [--listed] [--generate N] [--shard K/N] [--only REGEX] [--timeout S] [--check] [--list]
#                     [--keep | --scratch DIR]
#
# Without --generate: each mutation of scripts/mutations.txt (one realistic bug, the tests that should catch it).
# --generate N: N mutations generated from the sources (operator swaps, dropped guards and early exits, constants
# off by one; 0 for all of them), each run against the fast tier, if it survives that its module's own tests, then
# the rest of the suite; with
# --listed the listed ones too. --shard K/N runs the K-th of N deterministic pieces (for N machines or N sittings);
# --timeout bounds each build and test run (seconds, default 900); --check verifies that every listed mutation
# applies; --list prints what would run; --keep leaves the scratch copy; --scratch DIR uses DIR as the scratch copy
# and keeps its .build between sittings (a first build takes minutes, a mutation's build seconds). Prints the kill table, the score per module
# and each survivor; exit 0 when the score is at least 95 %.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
scratch=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --scratch)
      [ $# -ge 2 ] || { echo "mutate.sh: --scratch needs a directory" >&2; exit 2; }
      scratch="$2"; keep=1; shift 2 ;;
    --check|--list|--listed) args+=("$1"); shift ;;
    --only|--generate|--shard|--timeout)
      [ $# -ge 2 ] || { echo "mutate.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    *) echo "mutate.sh: unknown option '$1' (--listed, --generate N, --shard K/N, --only REGEX, --timeout S," \
         "--check, --list, --keep, --scratch DIR)" >&2; exit 2 ;;
  esac
done
command -v python3 >/dev/null 2>&1 || { echo "mutate.sh: python3 is needed to apply the mutations" >&2; exit 2; }

if [ -n "$scratch" ]; then
  mkdir -p "$scratch"
  # Everything but the build products goes, so that files deleted from the checkout are gone here too.
  find "$scratch" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
else
  scratch=$(mktemp -d /tmp/ppg-mutate.XXXXXX)
fi
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$scratch"' EXIT; fi
# The files git tracks or would track, as they are in the working tree: uncommitted edits and new files included.
# Their times kept, so that a second sitting in the same scratch copy rebuilds what changed, not everything.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents --preserve=timestamps -t "$scratch"
cp scripts/mutations.txt "$scratch/.mutations.txt"
cp scripts/equivalent-mutants.txt "$scratch/.equivalent-mutants.txt" 2>/dev/null || true
cd "$scratch"
python3 scripts/mutate.py ${args[@]+"${args[@]}"}
