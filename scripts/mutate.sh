#!/usr/bin/env bash
# Mutation testing of this project's own test suite: applies each mutation of scripts/mutations.txt, one at a time,
# to a scratch copy of the checkout, builds, runs the tests the mutation names, and prints the kill table and the
# score (killed / mutations that compiled and are not marked equivalent). Needs python3 (to apply the mutations).
#
#   scripts/mutate.sh [--only REGEX] [--check] [--keep]
#
# --only runs the mutations whose id matches; --check only verifies that every mutation applies (its text occurs
# exactly once) and exits; --keep leaves the scratch copy. Exit 0 when the score is at least 95 %.
set -euo pipefail
cd "$(dirname "$0")/.."
only="" check=0 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --check) check=1; shift ;;
    --keep) keep=1; shift ;;
    *) echo "mutate.sh: unknown option '$1' (--only REGEX, --check, --keep)" >&2; exit 2 ;;
  esac
done
command -v python3 >/dev/null 2>&1 || { echo "mutate.sh: python3 is needed to apply the mutations" >&2; exit 2; }

scratch=$(mktemp -d /tmp/ppg-mutate.XXXXXX)
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$scratch"' EXIT; fi
# The files git tracks or would track, as they are in the working tree: uncommitted edits and new files included.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch"
cp scripts/mutations.txt "$scratch/.mutations.txt"

python3 - "$scratch" "$only" "$check" <<'PY'
import os, re, subprocess, sys, time

scratch, only, check = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
os.chdir(scratch)

def parse(path):
    mutations, current = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            ident, _, what = line[3:].partition("  ")
            current = {"id": ident.strip(), "what": what.strip(), "equivalent": None}
            mutations.append(current)
        elif current is None or not line.strip() or line.startswith("#"):
            continue
        elif line.startswith("file: "):
            current["file"] = line[6:].strip()
        elif line.startswith("tests: "):
            current["tests"] = line[7:].strip()
        elif line.startswith("equivalent: "):
            current["equivalent"] = line[12:].strip()
        elif line.startswith("- "):
            current["old"] = line[2:]
        elif line.startswith("+ "):
            current["new"] = line[2:]
        else:
            sys.exit(f"mutations.txt: cannot read line {line!r}")
    return mutations

mutations = [m for m in parse(".mutations.txt") if re.search(only, m["id"])]
problems = []
for m in mutations:
    missing = [key for key in ("file", "tests", "old", "new") if key not in m]
    if missing:
        problems.append(f"{m['id']}: missing {', '.join(missing)}")
        continue
    count = open(m["file"], encoding="utf-8").read().count(m["old"])
    if count != 1:
        problems.append(f"{m['id']}: its text occurs {count} times in {m['file']}, not once")
if problems:
    print("\n".join(problems))
    sys.exit(2)
print(f"{len(mutations)} mutations apply", flush=True)
if check:
    sys.exit(0)

def run(command, log, timeout=None):
    # A session of its own, so that a test hanging on a bug is stopped with everything it started.
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            return 124

print("building the scratch copy …", flush=True)
if run(["swift", "build", "--build-tests"], "/dev/null") != 0:
    sys.exit("the unmutated scratch copy does not build")
filters = "|".join(sorted({m["tests"] for m in mutations}))
print("the unmutated tests those mutations use …", flush=True)
if run(["swift", "test", "--skip-build", "--filter", filters], ".baseline.log") != 0:
    sys.exit(f"the unmutated tests fail: see {scratch}/.baseline.log")

rows, start = [], time.time()
for index, m in enumerate(mutations, 1):
    original = open(m["file"], encoding="utf-8").read()
    began = time.time()
    try:
        with open(m["file"], "w", encoding="utf-8") as out:
            out.write(original.replace(m["old"], m["new"], 1))
        if run(["swift", "build", "--build-tests"], f".{m['id']}.build.log") != 0:
            verdict = "did not compile"
        elif run(["swift", "test", "--skip-build", "--filter", m["tests"]], f".{m['id']}.test.log", 900) != 0:
            # A test that hangs on the bug (exit 124 from timeout) caught it too.
            verdict = "killed"
        else:
            verdict = "equivalent" if m["equivalent"] else "SURVIVED"
    finally:
        with open(m["file"], "w", encoding="utf-8") as out:
            out.write(original)
    rows.append((m, verdict, time.time() - began))
    print(f"[{index}/{len(mutations)}] {m['id']}: {verdict} ({time.time() - began:.0f} s)", flush=True)

print()
print(f"| mutation | module | bug | tests | verdict |")
print(f"| --- | --- | --- | --- | --- |")
for m, verdict, _ in rows:
    module = m["file"].split("/")[1]
    print(f"| {m['id']} | {module} | {m['what']} | `{m['tests']}` | {verdict} |")
killed = sum(1 for _, v, _ in rows if v == "killed")
counted = sum(1 for _, v, _ in rows if v in ("killed", "SURVIVED"))
print()
for m, verdict, _ in rows:
    if verdict == "equivalent":
        print(f"equivalent: {m['id']} — {m['equivalent']}")
    elif verdict == "SURVIVED":
        print(f"survived (a gap in the tests): {m['id']} — {m['what']}")
    elif verdict == "did not compile":
        print(f"did not compile (fix the mutation): {m['id']}")
score = 100.0 * killed / counted if counted else 0.0
print(f"mutation score: {killed}/{counted} killed ({score:.1f} %), "
      f"{sum(1 for _, v, _ in rows if v == 'equivalent')} equivalent, in {time.time() - start:.0f} s")
sys.exit(0 if score >= 95.0 and counted > 0 else 1)
PY
