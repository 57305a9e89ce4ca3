"""TS-52: the client store's validation and the API's cannot drift apart.

Everything the client store accepts (and would push) the server accepts too, so no
local edit is ever refused and dropped later; the limits (keys and descriptions under
256 characters, a setting's JSON under 8192 as the server encodes it) agree. The
client's ``validate_record``/``validate_setting``/``json_size`` run in node on the
compiled module; the server's validators run here.
"""

import json
import shutil
import subprocess

import pytest

from timetagger.server import _items

pytestmark = pytest.mark.node

NODE_SCRIPT = r"""
const { load } = require(process.env.TT_HARNESS);
const itemstores = load("itemstores");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {
    records: input.records.map((x) => itemstores.validate_record(x)),
    settings: input.settings.map((x) => itemstores.validate_setting(x)),
    sizes: input.values.map((v) => itemstores.json_size(v)),
};
console.log(JSON.stringify(out));
"""

RECORDS = [
    {"key": "a" * 255, "t1": 1, "t2": 2, "mt": 3, "ds": "x"},
    {"key": "a" * 256, "t1": 1, "t2": 2, "mt": 3},
    {"key": "", "t1": 1, "t2": 2, "mt": 3},
    {"key": "k1", "t1": 5.7, "t2": 1.2, "mt": 3.9, "ds": "d" * 300},
    {"key": "k2", "t1": 1, "t2": 2, "mt": 3, "ds": "é" * 255},
    {"key": "k3", "t1": 1, "t2": 2, "mt": 3, "ds": "🐢" * 200},
    {"key": "k4", "t1": "1", "t2": 2, "mt": 3},
    {"key": "k5", "t2": 2, "mt": 3},
    {"key": "k6", "t1": 1, "t2": 2},
    {"key": "k7", "t1": 1, "t2": 2, "mt": 3, "ds": None},
    {"key": "k8", "t1": -5, "t2": 2**40, "mt": 3, "extra": "dropped"},
]

SETTINGS = [
    {"key": "a", "value": "x" * 8189, "mt": 1},  # 8191 encoded: fits
    {"key": "a", "value": "x" * 8190, "mt": 1},  # 8192: too large
    {"key": "b", "value": ["é" * 1400, "x"], "mt": 1},  # short in JS, long in Python
    {"key": "c", "value": {"k": [1, 2, {"z": None}], "t": True}, "mt": 1},
    {"key": "d", "value": None, "mt": 1},
    {"key": "e", "mt": 1},
    {"key": "f", "value": 1},
    {"key": "g" * 256, "value": 1, "mt": 1},
    {"key": "h", "value": ["#a #b"] * 900, "mt": 1},
    {"key": "i", "value": ["#a #b"] * 1000, "mt": 1},
]

VALUES = [
    None,
    True,
    False,
    0,
    -12.5,
    1e21,
    "plain",
    'q"uote\\back\nnl\ttab\x01ctl\x7fdel',
    "é🐢",
    [],
    {},
    [1, "a", [None]],
    {"a": 1, "b": [True, {"c": "é"}]},
]


def run_node(compiled_dir, payload):
    node = shutil.which("node")
    assert node, "node is needed (apt-get install nodejs)"
    import os

    from conftest import ROOT

    r = subprocess.run(
        [node, "-e", NODE_SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=dict(
            os.environ,
            TT_COMPILED_DIR=compiled_dir,
            TT_HARNESS=os.path.join(ROOT, "tests", "client", "harness.js"),
        ),
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import glob
    import os

    from conftest import SITE_SRC
    from timetagger.server._assets import compile_pymodule

    out = tmp_path_factory.mktemp("compiled-contract")
    modules = {}
    for path in sorted(
        glob.glob(os.path.join(SITE_SRC, "app", "**", "*.py"), recursive=True)
    ):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            module = compile_pymodule(f.read(), path)
        (out / f"{module.name}.js").write_text(module, encoding="utf-8")
        modules[module.name] = {"requires": list(module.requires)}
    (out / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    return run_node(
        str(out), {"records": RECORDS, "settings": SETTINGS, "values": VALUES}
    )


def test_json_size_is_the_servers_encoding(client):
    for value, size in zip(VALUES, client["sizes"], strict=True):
        assert size == len(json.dumps(value)), value


def test_what_the_client_accepts_the_server_accepts(client):
    for kind, inputs, validate in [
        ("records", RECORDS, _items.validate_record),
        ("settings", SETTINGS, _items.validate_setting),
    ]:
        accepted = 0
        for ob, (clean, error) in zip(inputs, client[kind], strict=True):
            if clean is None:
                assert error, ob
                continue
            accepted += 1
            item, server_error = validate(clean)
            assert server_error is None, (kind, ob["key"][:20], server_error)
        assert accepted >= 4, kind


def test_limits_agree(client):
    records = client["records"]
    assert records[0][0] is not None  # key of 255 characters
    assert records[1][0] is None  # 256: refused by both
    assert _items.validate_record(RECORDS[1])[1] is not None
    assert records[3][0]["ds"] == "d" * 255  # cut to what the server accepts (quirk 2)
    assert (records[3][0]["t1"], records[3][0]["t2"], records[3][0]["mt"]) == (1, 5, 3)
    assert records[6][0] is None  # a number as text: the client insists on numbers
    assert "extra" not in records[10][0]
    settings = client["settings"]
    assert settings[0][0] is not None and settings[1][0] is None
    assert _items.validate_setting(SETTINGS[0])[1] is None
    assert _items.validate_setting(SETTINGS[1])[1] is not None
    # non-ASCII text: within the JS length, beyond the server's encoding
    assert len(json.dumps(SETTINGS[2]["value"], ensure_ascii=False)) < 8192
    assert settings[2][0] is None
    assert _items.validate_setting(SETTINGS[2])[1] is not None
    assert settings[8][0] is not None and settings[9][0] is None
