"""Layer 2: the client logic, compiled by PScript, run in node.

Every ``tests/client/*.test.js`` file runs with node's built-in test runner against the
modules of ``site_src/app`` compiled into a temporary directory (see harness.js).
"""

import glob
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, SITE_SRC
from timetagger.server._assets import compile_pymodule

CLIENT_TESTS = sorted(glob.glob(os.path.join(ROOT, "tests", "client", "*.test.js")))


@pytest.fixture(scope="session")
def compiled_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("compiled")
    modules = {}
    for path in sorted(glob.glob(os.path.join(SITE_SRC, "**", "*.py"), recursive=True)):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            module = compile_pymodule(f.read(), path)
        (out / f"{module.name}.js").write_text(module, encoding="utf-8")
        modules[module.name] = {"requires": list(module.requires)}
    (out / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    return str(out)


def test_there_are_client_tests():
    assert CLIENT_TESTS, "no tests/client/*.test.js found"


@pytest.mark.node
@pytest.mark.parametrize(
    "path", CLIENT_TESTS, ids=[os.path.basename(p) for p in CLIENT_TESTS]
)
def test_client_logic_in_node(path, compiled_dir):
    node = shutil.which("node")
    assert node, "node is needed for the client tests (apt-get install nodejs)"
    r = subprocess.run(
        [node, "--test", "--test-reporter=spec", path],
        capture_output=True,
        text=True,
        env=dict(os.environ, TT_COMPILED_DIR=compiled_dir),
        timeout=300,
    )
    assert r.returncode == 0, (
        f"{os.path.basename(path)} failed:\n{r.stdout}\n{r.stderr}"
    )
