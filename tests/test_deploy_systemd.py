"""The systemd unit (deploy/timetagger.service) is valid and hardened: with its
ExecStart pointed at this Python, ``systemd-analyze verify`` reports nothing at all
(an unknown or misspelt setting is only a warning there, so any output fails), the
process settings it passes are the ones the recipes need, and the exposure that
``systemd-analyze security --offline=true`` gives it is low and the one the README
states."""

import re
import shutil
import subprocess
import sys

import pytest
from deploy_checks import recipe

from conftest import ROOT

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.fixture
def unit(tmp_path):
    assert SYSTEMD_ANALYZE, "systemd-analyze is needed: apt-get install systemd"
    text = recipe("timetagger.service")
    old = "ExecStart=/opt/timetagger/bin/python -m timetagger"
    assert old in text
    path = tmp_path / "timetagger.service"
    path.write_text(text.replace(old, f"ExecStart={sys.executable} -m timetagger"))
    return path


def test_unit_verifies_cleanly(unit):
    r = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), (
        r.stdout + r.stderr
    )
    # The check has teeth: a misspelt value is reported.
    bad = unit.with_name("bad.service")
    bad.write_text(
        unit.read_text().replace("ProtectSystem=strict", "ProtectSystem=strikt")
    )
    r = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(bad)],
        capture_output=True,
        text=True,
    )
    assert "strikt" in r.stdout + r.stderr


def test_unit_runs_the_api_as_the_recipes_need():
    text = recipe("timetagger.service")
    settings = dict(re.findall(r"^Environment=TIMETAGGER_(\w+)=(.*)$", text, re.M))
    assert settings == {
        "BIND": "127.0.0.1:8080",
        "DATADIR": "/var/lib/timetagger",
        "LOCALHOST_LOGIN": "false",
        "TRUSTED_PROXIES": "127.0.0.1",
    }
    # The settings are valid for the process as they stand.
    from timetagger._config import Config

    env = {f"TIMETAGGER_{name}": value for name, value in settings.items()}
    config = Config().load([], env, strict=True)
    assert config.localhost_login is False and config.trusted_proxies == "127.0.0.1"


def test_unit_exposure_is_low_and_documented(unit):
    r = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
    )
    m = re.search(r"Overall exposure level for timetagger\.service: ([\d.]+)", r.stdout)
    assert m, r.stdout + r.stderr
    exposure = float(m.group(1))
    assert exposure <= 1.5, r.stdout
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        readme = f.read()
    assert f"exposure {m.group(1)}" in readme, (
        f"README.md should state the unit's exposure {m.group(1)}"
    )
