"""tools/run_tests.py (``make test``): the layers cover every test once, and a layer
that runs nothing fails the run."""

import os
import subprocess
import sys

from conftest import ROOT
from run_tests import LAYERS

SCRIPT = os.path.join(ROOT, "tools", "run_tests.py")


def collected(args):
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q"] + args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return {line for line in r.stdout.splitlines() if "::" in line}


def claims(layer, test_id):
    """Whether the layer's pytest arguments (paths, ``--ignore=path``) take this test."""
    path = test_id.split("::")[0]

    def under(folder):
        return path == folder or path.startswith(folder.rstrip("/") + "/")

    roots = [a for a in layer.args if not a.startswith("-")]
    ignored = [a.split("=", 1)[1] for a in layer.args if a.startswith("--ignore=")]
    assert len(roots) + len(ignored) == len(layer.args), layer.args
    return any(under(r) for r in roots) and not any(under(i) for i in ignored)


def test_layers_cover_every_test_once():
    everything = collected(["tests"])
    assert len(everything) > 300
    for test_id in everything:
        layers = [layer.name for layer in LAYERS if claims(layer, test_id)]
        assert len(layers) == 1, (test_id, layers)
    for layer in LAYERS:
        assert any(claims(layer, test_id) for test_id in everything), layer.name


def test_a_layer_that_runs_nothing_fails_the_run():
    r = subprocess.run(
        [sys.executable, SCRIPT, "--layers=node", "-k", "no_test_has_this_name"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "==> [1/1] node: NO TESTS RAN" in r.stdout, r.stdout
    assert "FAILED: node" in r.stdout.split("==> summary")[1], r.stdout


def test_unknown_layer_is_refused():
    r = subprocess.run(
        [sys.executable, SCRIPT, "--layers=api,nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "unknown layer ['nope']" in r.stderr
