"""Check the programs the test suite needs beyond Python, with a clear message."""

import os
import shutil
import sys

missing = []
if not shutil.which("node"):
    missing.append("node (v18 or newer): apt-get install nodejs")
if not (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
):
    missing.append(
        "chromium: apt-get install chromium (or set CHROMIUM=/path/to/chrome)"
    )
if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
    missing.append(
        "nginx (for the deploy/nginx.conf test): apt-get install nginx-light"
    )
if not shutil.which("caddy"):
    missing.append("caddy (for the deploy/Caddyfile test): apt-get install caddy")
if not shutil.which("systemd-analyze"):
    missing.append(
        "systemd-analyze (for the deploy/ unit test): apt-get install systemd"
    )
if not shutil.which("ssconvert"):
    missing.append(
        "ssconvert (the CSV test opens our CSV in a spreadsheet): "
        "apt-get install --no-install-recommends gnumeric"
    )
if missing:
    sys.exit("make test needs:\n  " + "\n  ".join(missing))
