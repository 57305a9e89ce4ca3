"""tools/setup_system.py: which packages are missing, and what it does about them.

The decision (``plan``) is checked for every case of privilege; the script itself runs
with a PATH lacking programs and a standard input that is open but never written to,
so reading it would hang the test until its deadline.
"""

import os
import re
import subprocess
import sys

import pytest

import setup_system
from conftest import ROOT
from setup_system import PACKAGES, Package, find_program, missing_packages, plan

SCRIPT = os.path.join(ROOT, "tools", "setup_system.py")
NODE = Package("nodejs", ["node"], "node")
CADDY = Package("caddy", ["caddy"], "caddy")


def executable(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return str(path)


def test_nothing_missing_means_nothing_to_do():
    for is_root in (True, False):
        assert plan([], is_root, False, False, True) == ("nothing", [])


def test_root_installs_after_apt_get_update():
    action, commands = plan([NODE, CADDY], True, False, False, True)
    assert action == "install"
    update, install = commands
    assert update[:2] == ["apt-get", "update"]
    assert install[:3] == ["apt-get", "install", "-y"]
    assert install[-2:] == ["nodejs", "caddy"]
    assert "--no-install-recommends" in install


def test_sudo_without_password_installs_through_sudo_n():
    action, commands = plan([NODE], False, True, True, True)
    assert action == "install"
    for command in commands:
        # -n: sudo fails instead of asking; env: sudo drops DEBIAN_FRONTEND otherwise.
        assert command[:4] == ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
    assert commands[0][4:6] == ["apt-get", "update"]
    assert commands[1][4:6] == ["apt-get", "install"]


def test_without_root_or_passwordless_sudo_prints_one_command():
    install = "apt-get install -y --no-install-recommends nodejs caddy"
    assert plan([NODE, CADDY], False, False, True, True) == (
        "instruct",
        f"sudo apt-get update && sudo {install}",
    )
    assert plan([NODE, CADDY], False, False, False, True) == (
        "instruct",
        f"su -c 'apt-get update && {install}'",
    )


def test_check_never_installs_even_as_root():
    assert plan([NODE], True, False, False, True, check=True) == (
        "instruct",
        "apt-get update && apt-get install -y --no-install-recommends nodejs",
    )


def test_without_apt_get_it_only_reports():
    assert plan([NODE], True, False, False, False) == ("unsupported", None)


def test_find_program_on_path_then_in_the_newest_postgresql(tmp_path, monkeypatch):
    on_path = tmp_path / "bin"
    on_path.mkdir()
    assert find_program("tt-tool", path=str(on_path)) is None
    tool = executable(on_path, "tt-tool")
    assert find_program("tt-tool", path=str(on_path)) == tool

    for version in ("9.6", "15", "10"):
        folder = tmp_path / "postgresql" / version / "bin"
        folder.mkdir(parents=True)
        executable(folder, "tt-initdb")
    monkeypatch.setattr(
        setup_system, "EXTRA_DIRS", (str(tmp_path / "postgresql" / "*" / "bin"),)
    )
    found = find_program("tt-initdb", path=str(on_path))
    assert found == str(tmp_path / "postgresql" / "15" / "bin" / "tt-initdb")


def test_missing_packages_by_program_and_environment(tmp_path):
    chromium = Package("chromium", ["chromium", "chromium-browser"], "", env="CHROMIUM")
    venv = Package("python3-venv", module="ensurepip")
    nowhere = Package("tt-none", ["tt-no-such-program"])
    packages = [chromium, venv, nowhere]
    assert missing_packages(packages, str(tmp_path), {}) == [chromium, nowhere]
    executable(tmp_path, "chromium-browser")
    assert missing_packages(packages, str(tmp_path), {}) == [nowhere]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    browser = executable(elsewhere, "chrome")
    assert missing_packages(packages, str(elsewhere), {"CHROMIUM": browser}) == [
        nowhere
    ]


def run_script(path, *args):
    env = {k: v for k, v in os.environ.items() if k != "CHROMIUM"}
    env["PATH"] = str(path)
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("setup_system.py waited for input")
    return proc.returncode, out


def test_script_reports_the_missing_and_the_command(tmp_path):
    # Only programs Debian keeps on PATH are surely missing here: nginx and the
    # PostgreSQL binaries may be found in EXTRA_DIRS. With --check, apt-get never runs.
    executable(tmp_path, "apt-get")
    code, out = run_script(tmp_path, "--check")
    assert code == 1, out
    command = re.search(r"apt-get install -y --no-install-recommends ([^\n']+)", out)
    assert command, out
    named = command.group(1).split()
    for name in ("make", "nodejs", "chromium", "caddy", "systemd"):
        assert name in named
        assert re.search(rf"^  {name} +no ", out, re.M), out


def test_script_does_nothing_when_all_is_there(tmp_path):
    for package in PACKAGES:
        for program in package.programs:
            executable(tmp_path, program)
    code, out = run_script(tmp_path)
    assert code == 0, out
    assert out.startswith("system packages: all present (make, python3-venv"), out


def test_script_without_apt_get_names_the_packages(tmp_path):
    code, out = run_script(tmp_path)
    assert code == 1, out
    assert "There is no apt-get here" in out
    assert re.search(r"^  chromium +no chromium or chromium-browser: ", out, re.M), out


def test_the_readme_lists_every_package():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    table = readme.split("| Debian package | why the tests need it |")[1].split("\n\n")[
        0
    ]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", table, re.M)
    assert [name for name, _ in rows] == [p.name for p in PACKAGES]
    for (_, why), package in zip(rows, PACKAGES, strict=True):
        assert why.startswith(package.why), (why, package.why)
