#!/usr/bin/env python3
"""Mutation testing of this project's own tests; run through scripts/mutate.sh, which makes the scratch copy.

Two kinds of mutation, each one bug put into a scratch copy, built, and tested:
- listed: the realistic one-line bugs of scripts/mutations.txt, each with the test filter that should catch it;
- generated: every operator swap (< <=, > >=, == !=, && ||), dropped guard, dropped early exit and integer
  constant off by one the sources hold, sampled deterministically (a hash of each mutation's text orders them).
A generated mutation runs against the fast tier first (the suites that start no process and open no socket), then,
if the fast tier misses it, against its own module's test target whole (MODULE_TESTS: the CLI's, the HTTP layer's,
the end-to-end suites), and against the rest of the suite only when that misses it too. One that survives them all
is a gap in the tests, unless scripts/equivalent-mutants.txt lists its key with the reason it cannot change
behaviour.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import time

# The fast tier: CONTRIBUTING.md names it; keep the two in step.
FAST_FILTER = "PPGWireTests|PPGSignatureTests|PPGVectorsTests|PPGConformanceTests|ConnectionStateTests"
FAST_SKIP = "HTTPEndToEndTests|LoadRunTests|CrossCheckTests|junitValidates|independentRecomputation|versionBookkeeping|preflightFindsUnreachableTarget"
# The fast tier takes about 20 s, a minute on a busy machine: a mutation that makes it run five (a generator looping
# forever) hangs it, which is a kill, found without waiting out the whole --timeout.
FAST_TIMEOUT = 300
# What Swift Testing prints when a test records an issue: the run has failed, whatever else it does.
FAILURE_MARK = "\u2718 Test ".encode()
# A module's own test target, run whole between the fast tier and the rest: most mutations the fast tier misses are
# in the CLI or the HTTP layer, whose suites start processes and sockets, and are killed there in a fraction of the
# whole suite's time. A module without an entry goes straight to the whole suite.
MODULE_TESTS = {"ppg-conformance": "CLITests", "PPGHTTP": "PPGHTTPTests", "PPGConformance": "PPGConformanceTests"}
# SHA-1's unrolled rounds (generated code): a change there is caught by the FIPS vectors, and hundreds of
# near-identical lines would crowd out everything else in a sample.
SKIP_LINES = re.compile(r"rotl\(|^\s*(let )?w\d+ = ")

SWAPS = [(" <= ", " < "), (" < ", " <= "), (" >= ", " > "), (" > ", " >= "), (" == ", " != "), (" != ", " == "),
         (" && ", " || "), (" || ", " && ")]
STRING = re.compile(r'"(?:\\.|[^"\\])*"')
NUMBER = re.compile(r"(?<![\w.#$])(\d+)(?![\w.])")
GUARD = re.compile(r"^(\s*guard )(.+)( else \{.*)$")
EARLY_EXIT = re.compile(r"^(\s*if )(.+)( \{ (?:return|continue|break|throw)\b.*\})\s*$")


def parse_listed(path):
    mutations, current = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            ident, _, what = line[3:].partition("  ")
            current = {"id": ident.strip(), "what": what.strip(), "equivalent": None, "kind": "listed"}
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


def masked(line):
    """The line with string literals and a trailing comment blanked, so that only code is mutated."""
    out = STRING.sub(lambda m: '"' + "_" * (len(m.group(0)) - 2) + '"', line)
    comment = out.find("//")
    return out if comment < 0 else out[:comment] + " " * (len(out) - comment)


def compiled_here(condition):
    """Whether an #if condition holds on this machine; a condition it cannot read counts as compiled."""
    facts = {"canImport(Glibc)": sys.platform.startswith("linux"), "os(Linux)": sys.platform.startswith("linux"),
             "canImport(Darwin)": sys.platform == "darwin", "os(macOS)": sys.platform == "darwin"}
    return facts.get(condition.strip(), True)


def generated(root="Sources"):
    """Every generated mutation of the sources, in a stable order."""
    found = []
    for directory, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            if not name.endswith(".swift"):
                continue
            lines = open(path, encoding="utf-8").read().split("\n")
            in_multiline = False
            # Whether each enclosing #if branch is compiled here: a mutation in code this platform does not build
            # survives every test without saying anything about them.
            branches = []
            for number, line in enumerate(lines, 1):
                if line.count('"""') % 2 == 1:
                    in_multiline = not in_multiline
                    continue
                stripped = line.strip()
                if not in_multiline and stripped.startswith("#"):
                    directive, _, condition = stripped.partition(" ")
                    if directive == "#if":
                        branches.append([compiled_here(condition), compiled_here(condition)])
                    elif directive == "#elseif" and branches:
                        taken = branches[-1][1]
                        branches[-1][0] = not taken and compiled_here(condition)
                        branches[-1][1] = taken or branches[-1][0]
                    elif directive == "#else" and branches:
                        branches[-1][0] = not branches[-1][1]
                    elif directive == "#endif" and branches:
                        branches.pop()
                    continue
                if not all(branch[0] for branch in branches):
                    continue
                if in_multiline or not stripped or stripped.startswith("//") \
                        or stripped.startswith("@") or stripped.startswith("import ") or SKIP_LINES.search(line):
                    continue
                code = masked(line)
                candidates = []
                for old, new in SWAPS:
                    start = code.find(old)
                    while start >= 0:
                        candidates.append((f"'{old.strip()}' → '{new.strip()}'", start, len(old), new))
                        start = code.find(old, start + 1)
                guard = GUARD.match(code)
                if guard and not re.search(r"\b(let|var|case)\b", guard.group(2)):
                    start = len(guard.group(1))
                    candidates.append(("guard dropped", start, len(guard.group(2)), "true"))
                exit_ = EARLY_EXIT.match(code)
                if exit_ and not re.search(r"\b(let|var|case)\b", exit_.group(2)):
                    start = len(exit_.group(1))
                    candidates.append(("early exit dropped", start, len(exit_.group(2)), "false"))
                for match in NUMBER.finditer(code):
                    value = int(match.group(1))
                    if value > 1 << 40:
                        continue
                    candidates.append((f"{value} → {value + 1}", match.start(1), len(match.group(1)),
                                       str(value + 1)))
                for what, start, length, new in candidates:
                    mutated = line[:start] + new + line[start + length:]
                    key = hashlib.sha1(f"{path}\n{line.strip()}\n{start}\n{what}".encode()).hexdigest()[:10]
                    found.append({
                        "id": f"g-{key}", "key": key, "kind": "generated", "file": path, "line": number,
                        "old_line": line, "new_line": mutated, "what": f"{path}:{number}: {what}",
                        "tests": FAST_FILTER, "equivalent": None,
                    })
    return found


def sample(mutations, count):
    """`count` of them in the order of a hash of each: about in proportion to each module's code, and the same ones
    for the same sources (a mutation keeps its key while its line is unchanged)."""
    ordered = sorted(mutations, key=lambda m: hashlib.sha1(m["key"].encode()).hexdigest())
    return ordered if count is None else ordered[:count]


def module(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else path


def run(command, log, timeout, stop_at_failure=False):
    """The command's exit status, 124 if it ran out of time. With `stop_at_failure`, a test run is stopped at the
    first issue a test records (Swift Testing's '✘ Test … recorded an issue'): the mutation is killed by then, and
    waiting for the rest can cost minutes (a mutant that makes a test spin until the whole run's timeout)."""
    # A session of its own, so that a test hanging on a bug is stopped with everything it started.
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        code = None
        while code is None:
            try:
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                if time.time() >= deadline:
                    code = 124
                elif stop_at_failure and FAILURE_MARK in open(log, "rb").read():
                    code = 1
        if process.poll() is None:
            # `swift test` runs the test bundle in a process group of its own, in the same session: the whole
            # session goes, or a test looping forever outlives the run and takes a core from every mutation after.
            subprocess.run(["pkill", "-9", "-s", str(process.pid)], check=False)
            os.killpg(process.pid, 9)
            process.wait()
        return code


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--listed", action="store_true")
    parser.add_argument("--generate", type=int, default=None, metavar="N")
    parser.add_argument("--shard", default="1/1")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    try:
        shard, shards = (int(part) for part in args.shard.split("/"))
        assert 1 <= shard <= shards
    except (ValueError, AssertionError):
        sys.exit(f"mutate.sh: --shard takes K/N with 1 ≤ K ≤ N, not '{args.shard}'")

    equivalents = {}
    if os.path.exists(".equivalent-mutants.txt"):
        for line in open(".equivalent-mutants.txt", encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                key, _, reason = line.strip().partition(" ")
                equivalents[key] = reason.strip()

    mutations = []
    if args.listed or args.generate is None:
        mutations += parse_listed(".mutations.txt")
    if args.generate is not None:
        every = generated()
        for m in every:
            m["equivalent"] = equivalents.get(m["key"])
        chosen = sample(every, args.generate if args.generate > 0 else None)
        print(f"{len(every)} generated mutations in the sources; {len(chosen)} sampled", flush=True)
        mutations += chosen
    mutations = [m for m in mutations if re.search(args.only, m["id"])]
    mutations = [m for index, m in enumerate(mutations) if index % shards == shard - 1]

    problems = []
    for m in mutations:
        if m["kind"] == "generated":
            continue
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
    print(f"{len(mutations)} mutations apply (shard {shard}/{shards})", flush=True)
    if args.list:
        for m in mutations:
            print(f"{m['id']}  {m['what']}")
    if args.check or args.list:
        sys.exit(0)

    print("building the scratch copy …", flush=True)
    if run(["swift", "build", "--build-tests"], ".baseline.build.log", args.timeout) != 0:
        sys.exit("the unmutated scratch copy does not build")
    listed_filters = sorted({m["tests"] for m in mutations if m["kind"] == "listed"})
    if any(m["kind"] == "generated" for m in mutations):
        print("the unmutated fast tier …", flush=True)
        if run(["swift", "test", "--skip-build", "--filter", FAST_FILTER, "--skip", FAST_SKIP], ".baseline.log",
               args.timeout) != 0:
            sys.exit("the unmutated fast tier fails: see .baseline.log in the scratch copy")
    if listed_filters:
        print("the unmutated tests the listed mutations use …", flush=True)
        if run(["swift", "test", "--skip-build", "--filter", "|".join(listed_filters)], ".baseline.log",
               args.timeout) != 0:
            sys.exit("the unmutated tests fail: see .baseline.log in the scratch copy")

    rows, start = [], time.time()
    for index, m in enumerate(mutations, 1):
        original = open(m["file"], encoding="utf-8").read()
        if m["kind"] == "generated":
            lines = original.split("\n")
            lines[m["line"] - 1] = m["new_line"]
            mutated = "\n".join(lines)
        else:
            mutated = original.replace(m["old"], m["new"], 1)
        began, stage, own = time.time(), "", MODULE_TESTS.get(module(m["file"]))
        try:
            with open(m["file"], "w", encoding="utf-8") as out:
                out.write(mutated)
            if run(["swift", "build", "--build-tests"], f".{m['id']}.build.log", args.timeout) != 0:
                verdict = "did not compile"
            elif m["kind"] == "listed":
                # A test that hangs on the bug (exit 124 from the timeout) caught it too.
                code = run(["swift", "test", "--skip-build", "--filter", m["tests"]], f".{m['id']}.test.log",
                           args.timeout, stop_at_failure=True)
                verdict = "killed" if code != 0 else ("equivalent" if m["equivalent"] else "SURVIVED")
            elif run(["swift", "test", "--skip-build", "--filter", FAST_FILTER, "--skip", FAST_SKIP],
                     f".{m['id']}.fast.log", min(args.timeout, FAST_TIMEOUT), stop_at_failure=True) != 0:
                verdict, stage = "killed", "fast tier"
            elif own and run(["swift", "test", "--skip-build", "--filter", own], f".{m['id']}.module.log",
                             args.timeout, stop_at_failure=True) != 0:
                verdict, stage = "killed", "module's tests"
            elif run(["swift", "test", "--skip-build"] + (["--skip", own] if own else []), f".{m['id']}.test.log",
                     args.timeout * 2, stop_at_failure=True) != 0:
                verdict, stage = "killed", "whole suite"
            else:
                verdict = "equivalent" if m["equivalent"] else "SURVIVED"
        finally:
            with open(m["file"], "w", encoding="utf-8") as out:
                out.write(original)
        rows.append((m, verdict, stage))
        where = f" by the {stage}" if stage else ""
        print(f"[{index}/{len(mutations)}] {m['id']} {m['what']}: {verdict}{where} ({time.time() - began:.0f} s)",
              flush=True)

    print()
    print("| mutation | module | bug | verdict |")
    print("| --- | --- | --- | --- |")
    for m, verdict, stage in rows:
        print(f"| {m['id']} | {module(m['file'])} | {m['what']} | {verdict}{' (' + stage + ')' if stage else ''} |")
    print()
    print("| module | listed killed | generated killed | score |")
    print("| --- | --- | --- | --- |")
    modules = sorted({module(m["file"]) for m, _, _ in rows})
    for name in modules:
        cells = []
        killed_all = counted_all = 0
        for kind in ("listed", "generated"):
            mine = [v for m, v, _ in rows if module(m["file"]) == name and m["kind"] == kind]
            killed = sum(1 for v in mine if v == "killed")
            counted = sum(1 for v in mine if v in ("killed", "SURVIVED"))
            killed_all, counted_all = killed_all + killed, counted_all + counted
            cells.append(f"{killed}/{counted}" if counted else "–")
        score = f"{100.0 * killed_all / counted_all:.1f} %" if counted_all else "–"
        print(f"| {name} | {cells[0]} | {cells[1]} | {score} |")
    print()
    for m, verdict, _ in rows:
        if verdict == "equivalent":
            print(f"equivalent: {m['id']} — {m['equivalent']}")
        elif verdict == "SURVIVED":
            detail = f"\n    - {m['old_line'].strip()}\n    + {m['new_line'].strip()}" if m["kind"] == "generated" else ""
            print(f"survived (a gap in the tests): {m['id']} — {m['what']}{detail}")
        elif verdict == "did not compile" and m["kind"] == "listed":
            print(f"did not compile (fix the mutation): {m['id']}")
    killed = sum(1 for _, v, _ in rows if v == "killed")
    counted = sum(1 for _, v, _ in rows if v in ("killed", "SURVIVED"))
    uncompiled = sum(1 for _, v, _ in rows if v == "did not compile")
    score = 100.0 * killed / counted if counted else 0.0
    print(f"mutation score: {killed}/{counted} killed ({score:.1f} %), "
          f"{sum(1 for _, v, _ in rows if v == 'equivalent')} equivalent, {uncompiled} did not compile, "
          f"in {time.time() - start:.0f} s")
    sys.exit(0 if score >= 95.0 and counted > 0 else 1)


if __name__ == "__main__":
    main()
