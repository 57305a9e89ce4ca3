"""The real ``timetagger-cli`` from PyPI, pointed at our API with an API token:
start, status, show (list), stop. It runs as a subprocess with its config file in a
temporary XDG config directory."""

import os
import subprocess
import sys
import time

import pytest

from .conftest import assert_error, record


@pytest.fixture
def cli(api, tmp_path):
    apitoken = api.ok("GET", "apitoken")["token"]
    config_home = tmp_path / "xdg-config"
    (config_home / "timetagger_cli").mkdir(parents=True)
    (config_home / "timetagger_cli" / "config.txt").write_text(
        f'api_url = "{api.url("")}"\napi_token = "{apitoken}"\nssl_verify = true\n'
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TIMETAGGER", "XDG"))
    }
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(config_home), TZ="UTC")

    def run(*args):
        p = subprocess.run(
            [sys.executable, "-m", "timetagger_cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        return p.stdout

    run.api = api
    run.apitoken = apitoken
    return run


def test_cli_start_show_stop(cli):
    api = cli.api
    out = cli("start", "writing tests #cli")
    assert "Timer started" in out and "writing tests #cli" in out
    running = api.records("timerange=0-9999999999&running=1")
    assert [r["ds"] for r in running] == ["writing tests #cli"]
    # Starting the same again is refused by the CLI itself (it found it running).
    assert "already running" in cli("start", "writing tests #cli")

    out = cli("status")
    assert "Running:" in out and "writing tests #cli" in out

    out = cli("show")
    assert "writing tests #cli" in out

    # A second timer stops the first.
    time.sleep(1.1)
    out = cli("start", "review #cli #other")
    assert "stopped 1 running" in out
    time.sleep(1.1)  # the CLI works in whole seconds: stop in a later one
    out = cli("stop")
    assert "Stopping running records" in out and "review #cli #other" in out
    assert "No running records" in cli("stop")

    records = api.records("timerange=0-9999999999")
    assert sorted(r["ds"] for r in records) == [
        "review #cli #other",
        "writing tests #cli",
    ]
    assert all(r["t2"] > r["t1"] for r in records)
    assert len(api.records("timerange=0-9999999999&tag=cli,other")) == 1
    out = cli("show", "--days", "2")
    assert "writing tests #cli" in out and "review #cli #other" in out

    # The API token cannot be used to get more tokens.
    assert_error(api.get("webtoken", token=cli.apitoken), 403)


def test_cli_reads_big_answers(cli):
    """Answers bigger than one piece of the store come compressed piece by piece,
    with a Content-Length: the CLI (requests) reads them whole."""
    now = int(time.time())
    records = [
        record(f"bulk{i:05d}", now - 60 * i - 30, now - 60 * i, f"bulk item {i} #bulk")
        for i in range(1, 6001)
    ]
    for i in range(0, len(records), 3000):
        assert not cli.api.put_records(records[i : i + 3000])["failed"]
    # diagnose pulls everything (updates?since=0).
    out = cli("diagnose")
    assert "Checked 6000 records" in out
    # show reads a time range (GET records): six thousand minutes is under five days.
    out = cli("show", "--days", "6")
    assert sum(1 for line in out.splitlines() if "#bulk" in line) == 6000
