"""The system packages the tests need: check them, install the missing ones if allowed.

    python3 tools/setup_system.py [--check]

``make test`` and ``.ci/run`` run this first. Every package in ``PACKAGES`` is checked
by the programs it provides (on PATH, or in the places Debian puts them off PATH). When
all are there it says so and does nothing. When some are missing it installs them with
apt-get if it can without asking anyone: as root, or through ``sudo -n`` (sudo without
a password). Otherwise, or with ``--check``, it prints the one command that installs
them and exits with status 1. It never reads standard input, so it cannot hang in CI.

To need another package, add one line to ``PACKAGES`` (and its row to the README).
Only the standard library is used: this runs before ``.venv`` exists.
"""

import glob
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys


class Package:
    """A Debian package, the programs that show it is installed, and why tests need it.

    ``programs``: any one of them found counts (``chromium`` or ``chromium-browser``).
    ``module``: a Python module of the interpreter running this script, instead.
    ``env``: an environment variable that may name the program instead (``CHROMIUM``).
    """

    def __init__(self, name, programs=(), why="", module=None, env=None):
        self.name = name
        self.programs = tuple(programs)
        self.why = why
        self.module = module
        self.env = env

    def what(self):
        """What is looked for, for messages."""
        if self.module:
            return f"python module {self.module}"
        return " or ".join(self.programs)

    def __repr__(self):
        return f"Package({self.name!r})"


# The one list. Names are Debian's; ``why`` is what the README's table says.
PACKAGES = (
    Package("make", ["make"], "runs the verbs (`make test`)"),
    Package(
        "python3-venv",
        module="ensurepip",
        why="`make install` creates `.venv` with it",
    ),
    Package(
        "nodejs",
        ["node"],
        "the client logic, compiled to JavaScript, runs in node (v18 or newer)",
    ),
    Package(
        "npm",
        ["npm"],
        "installs axe-core (the accessibility checks of the browser tests) from the "
        "npm registry",
    ),
    Package(
        "chromium",
        ["chromium", "chromium-browser"],
        "the end-to-end tests drive headless Chromium with Playwright "
        "(or set `CHROMIUM` to a Chrome binary)",
        env="CHROMIUM",
    ),
    Package(
        "nginx-light",
        ["nginx"],
        "the nginx example in `deploy/` is tested with a real nginx",
    ),
    Package(
        "caddy", ["caddy"], "the Caddy recipe in `deploy/` is tested with a real Caddy"
    ),
    Package(
        "postgresql",
        ["initdb", "pg_ctl"],
        "the PostgreSQL tests start a throwaway server (`initdb`, `pg_ctl`)",
    ),
    Package(
        "systemd",
        ["systemd-analyze"],
        "the systemd units in `deploy/` are checked with `systemd-analyze verify`",
    ),
    Package(
        "gnumeric",
        ["ssconvert"],
        "a CSV report is opened in a spreadsheet (`ssconvert`) to prove no cell "
        "is run as a formula",
    ),
)

# Where Debian installs programs that are not on every user's PATH: the sbin
# directories, and PostgreSQL's server binaries (one directory per major version).
EXTRA_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/lib/postgresql/*/bin")

APT_INSTALL = ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
# Keep changed configuration files without asking; wait for another apt instead of
# failing at once, but not forever.
APT_OPTIONS = [
    "-o",
    "Dpkg::Options::=--force-confdef",
    "-o",
    "Dpkg::Options::=--force-confold",
    "-o",
    "DPkg::Lock::Timeout=300",
]


def _version_key(path):
    return [int(n) for n in re.findall(r"\d+", path)]


def find_program(name, path=None):
    """The full path of program ``name``: on ``path`` (default: $PATH), else in
    ``EXTRA_DIRS`` (the newest PostgreSQL version first). None if it is nowhere."""
    found = shutil.which(name, path=path)
    if found:
        return found
    for pattern in EXTRA_DIRS:
        for folder in sorted(glob.glob(pattern), key=_version_key, reverse=True):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def is_present(package, path=None, environ=None):
    environ = os.environ if environ is None else environ
    if package.module:
        return importlib.util.find_spec(package.module) is not None
    if package.env and environ.get(package.env):
        return os.access(environ[package.env], os.X_OK)
    return any(find_program(p, path) for p in package.programs)


def missing_packages(packages=PACKAGES, path=None, environ=None):
    return [p for p in packages if not is_present(p, path, environ)]


def plan(missing, is_root, sudo_without_password, has_sudo, has_apt, check=False):
    """What to do about the ``missing`` packages: ``(action, commands)``.

    "nothing"; "install": run ``commands`` (argument lists) in order; "instruct":
    ``commands`` is one shell line for a person to run; "unsupported": no apt-get.
    Installing needs root or sudo without a password, and not ``check``.
    """
    if not missing:
        return "nothing", []
    if not has_apt:
        return "unsupported", None
    names = [p.name for p in missing]
    if (is_root or sudo_without_password) and not check:
        sudo = (
            [] if is_root else ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
        )
        install = APT_INSTALL + APT_OPTIONS + names
        return "install", [sudo + ["apt-get", "update", "-q"], sudo + install]
    install = shlex.join(
        ["apt-get", "install", "-y", "--no-install-recommends"] + names
    )
    if is_root:
        return "instruct", f"apt-get update && {install}"
    if has_sudo:
        return "instruct", f"sudo apt-get update && sudo {install}"
    return "instruct", "su -c " + shlex.quote(f"apt-get update && {install}")


def _sudo_without_password():
    """True if sudo runs without asking for a password (``-n`` never prompts)."""
    try:
        r = subprocess.run(
            ["sudo", "-n", "true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def _describe(missing):
    width = max(len(p.name) for p in missing)
    lines = [f"  {p.name:<{width}}  no {p.what()}: {p.why}" for p in missing]
    return "\n".join(lines).replace("`", "")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    missing = missing_packages()
    if not missing:
        names = ", ".join(p.name for p in PACKAGES)
        print(f"system packages: all present ({names})")
        return 0

    is_root = os.geteuid() == 0
    has_sudo = shutil.which("sudo") is not None
    action, commands = plan(
        missing,
        is_root=is_root,
        sudo_without_password=(
            not is_root and not check and has_sudo and _sudo_without_password()
        ),
        has_sudo=has_sudo,
        has_apt=shutil.which("apt-get") is not None,
        check=check,
    )
    print("system packages missing:\n" + _describe(missing), flush=True)
    if action == "unsupported":
        print(
            "\nThere is no apt-get here: install these (Debian names) with the system's "
            "package manager, then run make test again."
        )
        return 1
    if action == "instruct":
        print(
            "\nInstall them with this one command (it needs root), then run make test "
            f"again:\n\n  {commands}\n"
        )
        return 1

    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in commands:
        print("+ " + shlex.join(command), flush=True)
        r = subprocess.run(command, stdin=subprocess.DEVNULL, env=env)
        if r.returncode != 0:
            print(f"system packages: {command[command.index('apt-get') + 1]} failed")
            return 1
    still = missing_packages()
    if still:
        print("system packages: still missing after apt-get:\n" + _describe(still))
        return 1
    print("system packages: installed " + ", ".join(p.name for p in missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
