"""``make test``: the test suite as four layers, one pytest run each, timed.

    .venv/bin/python tools/run_tests.py [--layers api,browser] [pytest options]

Layers run in order (package, api, node, browser); each prints a line when it starts
and one with its result and time when it ends, and a summary follows. Every layer runs
even after one fails. The run fails if any layer fails or collects no test (pytest's
exit status 5), so a layer cannot pass by running nothing. Extra options go to every
layer's pytest (``make test PYTEST_ARGS=-x``); to run a single test, call pytest
directly (``.venv/bin/python -m pytest tests/api/test_auth.py``).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Layer:
    def __init__(self, name, title, args):
        self.name = name
        self.title = title
        self.args = args


# Together the layers cover every test under tests/: what the later three do not
# claim is the package layer.
LAYERS = (
    Layer(
        "package",
        "the package, the build, the deploy examples",
        [
            "tests",
            "--ignore=tests/api",
            "--ignore=tests/e2e",
            "--ignore=tests/test_client.py",
        ],
    ),
    Layer("api", "the API over real HTTP", ["tests/api"]),
    Layer(
        "node",
        "the client logic compiled to JavaScript, in node",
        ["tests/test_client.py"],
    ),
    Layer("browser", "end to end in headless Chromium", ["tests/e2e"]),
)

# pytest's exit statuses.
OUTCOMES = {
    0: "passed",
    1: "FAILED",
    2: "INTERRUPTED",
    3: "INTERNAL ERROR",
    4: "USAGE ERROR",
    5: "NO TESTS RAN",
}


def counts(junit_path):
    """``{"tests", "failures", "errors", "skipped"}`` from pytest's JUnit XML report."""
    try:
        suite = ET.parse(junit_path).getroot()
    except (OSError, ET.ParseError):
        return None
    if suite.tag == "testsuites":
        suite = suite[0]
    return {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}


def describe(found):
    if found is None:
        return "no report"
    text = f"{found['tests']} tests"
    for key in ("failures", "errors", "skipped"):
        if found[key]:
            text += f", {found[key]} {key}"
    return text


def run_layer(index, total, layer, extra, report_dir):
    print(f"\n==> [{index}/{total}] {layer.name}: {layer.title}", flush=True)
    junit = os.path.join(report_dir, f"{layer.name}.xml")
    command = [sys.executable, "-m", "pytest", *layer.args, f"--junitxml={junit}"]
    start = time.monotonic()
    code = subprocess.call([*command, *extra], cwd=ROOT)
    seconds = time.monotonic() - start
    result = OUTCOMES.get(code, f"EXIT STATUS {code}")
    found = counts(junit)
    print(
        f"==> [{index}/{total}] {layer.name}: {result}, {describe(found)} "
        f"in {seconds:.1f} s",
        flush=True,
    )
    return code, result, found, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run the test layers.", allow_abbrev=False
    )
    parser.add_argument(
        "--layers",
        default=",".join(layer.name for layer in LAYERS),
        help="comma-separated layers to run (default: all, in order)",
    )
    options, extra = parser.parse_known_args(argv)
    by_name = {layer.name: layer for layer in LAYERS}
    wanted = [name.strip() for name in options.layers.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in by_name]
    if unknown or not wanted:
        parser.error(f"unknown layer {unknown or wanted}: choose from {list(by_name)}")
    layers = [layer for layer in LAYERS if layer.name in wanted]

    rows = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tt-test-reports-") as report_dir:
        for index, layer in enumerate(layers, 1):
            code, result, found, seconds = run_layer(
                index, len(layers), layer, extra, report_dir
            )
            rows.append((layer.name, code, result, found, seconds))
            if code == 2:  # interrupted (Ctrl-C): do not start the next layer
                break
    total = time.monotonic() - start

    failed = [name for name, code, *_ in rows if code != 0]
    failed += [layer.name for layer in layers[len(rows) :]]
    print("\n==> summary")
    for name, _, result, found, seconds in rows:
        print(f"    {name:<8} {result:<14} {describe(found):<30} {seconds:7.1f} s")
    verdict = "all layers passed" if not failed else "FAILED: " + ", ".join(failed)
    print(f"    {'total':<8} {verdict:<45} {total:7.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
