"""The options every naive Python receiver here takes: the examples' own, and --bug (comma-separated)."""
import argparse
import os
import sys

# The careful examples' verifier, which the naive receivers call with their bugs' inputs.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "Examples", "python"))


def parse(config, bugs):
    """Fills `config` from the command line; --bug must name only `bugs`. Sets config.bugs to the set chosen."""
    parser = argparse.ArgumentParser()
    for option in ("--project-id", "--public-url"):
        parser.add_argument(option)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--scheme", default="url-params")
    parser.add_argument("--encoding", default="hex")
    parser.add_argument("--bug", default="")
    parser.parse_args(namespace=config)
    config.bugs = {bug for bug in config.bug.split(",") if bug}
    if config.bugs - set(bugs):
        parser.error("unknown --bug " + config.bug)
