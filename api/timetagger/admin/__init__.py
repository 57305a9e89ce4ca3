"""The maintenance subcommands of ``python -m timetagger``: ``check``, ``repair``,
``backup``, ``restore`` and ``migrate`` (one module each), and what they share: the settings (the
same ``--datadir`` and ``TIMETAGGER_*`` variables as the server), the list of user
files, whether a server has a file open, and the exit codes.

Exit codes: 0 done; 1 a problem was found or part of the work failed (a damaged
file, a file that could not be backed up); 2 a usage error (an unknown option, a
missing folder or user); 3 refused (a server has the files open, or existing data
would be overwritten without ``--force``).
"""

import argparse
import os
import sys
import time

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3

COMMANDS = {
    "check": "integrity check of every user database",
    "repair": "salvage what is readable of a damaged user database",
    "backup": "consistent copy of all user data while the server runs",
    "restore": "put a backup back into the data directory",
    "migrate": "copy all data from the datadir to PostgreSQL, or back",
}


class Refused(Exception):
    """The command will not do this (exit code 3); the text says why."""


class UsageError(Exception):
    """A wrong argument (exit code 2); the text says which."""


def commands_help():
    lines = ["maintenance commands (python -m timetagger COMMAND --help):"]
    for name, text in COMMANDS.items():
        lines.append(f"  {name:<32} {text}")
    return "\n".join(lines)


def run(argv):
    """Run ``argv[0]`` (a name in COMMANDS) with the rest; returns the exit code."""
    import importlib

    name, rest = argv[0], list(argv[1:])
    module = importlib.import_module(f".{name}", __name__)
    parser = argparse.ArgumentParser(
        prog=f"python -m timetagger {name}",
        description=module.__doc__.replace("``", ""),
        epilog=module.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--datadir",
        metavar="DIR",
        help="the server's data directory (default: TIMETAGGER_DATADIR, else "
        "~/_timetagger; the environment wins, as for the server)",
    )
    module.add_arguments(parser)
    try:
        args = parser.parse_args(rest)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        load_settings(args.datadir)
        return module.main(args)
    except UsageError as err:
        print(f"timetagger {name}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as err:
        print(f"timetagger {name}: refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"timetagger {name}: interrupted", file=sys.stderr)
        return 130


def load_settings(datadir):
    """Load the config as the server does (environment included), strictly."""
    from .. import config
    from .._config import ConfigError

    try:
        config.load([f"--datadir={datadir}"] if datadir else [], strict=True)
    except ConfigError as err:
        raise UsageError(str(err)) from None


def datadir():
    from .. import config

    return os.path.abspath(os.path.expanduser(config.datadir))


def users_dir():
    return os.path.join(datadir(), "users")


def require_datadir():
    """Stop with a usage error when the data directory does not exist."""
    if not os.path.isdir(datadir()):
        raise UsageError(f"no data directory {datadir()} (is --datadir right?)")


def user_files(folder=None):
    """The user databases in ``folder`` (default ``<datadir>/users``), sorted."""
    folder = folder or users_dir()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return [
        os.path.join(folder, name)
        for name in sorted(names)
        if name.endswith(".db") and not name.startswith(".")
    ]


def user_of(filename):
    """The user name a database file belongs to, or None for a foreign name."""
    from ..server._utils import filename2user

    try:
        return filename2user(filename)
    except (ValueError, UnicodeDecodeError):
        return None


def find_user_file(user):
    """The database file of ``user`` (a user name, or the file's name in users/)."""
    from ..server._utils import user2filename

    candidates = []
    if user.endswith(".db"):
        candidates.append(os.path.join(users_dir(), os.path.basename(user)))
    try:
        candidates.append(user2filename(user))
    except ValueError:
        pass
    for filename in candidates:
        if os.path.isfile(filename):
            return filename
    raise UsageError(
        f"no database for user {user!r} in {users_dir()} "
        "(give the user name, or the file name that 'check' prints)"
    )


def in_use(filename):
    """Whether another process has the SQLite file open in WAL mode (True/False),
    or None when that cannot be told (no POSIX locks here).

    Every connection to a WAL database holds a shared lock on one byte of the
    ``-shm`` file (SQLite's "dead man switch", offset 128) for as long as it is open;
    a write lock on that byte is granted only when no other process holds it.
    The server keeps its connections open, so a running server is seen.
    """
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(filename + "-shm", os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128, os.SEEK_SET)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def refuse_if_in_use(filenames, action):
    busy = [f for f in filenames if in_use(f)]
    if busy:
        names = ", ".join(busy[:3]) + (" ..." if len(busy) > 3 else "")
        raise Refused(
            f"{names} {'is' if len(busy) == 1 else 'are'} open in a running server: "
            f"stop the server before you {action}"
        )


def timestamp(t=None):
    """A UTC time for file names: 20261124T101500Z."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def fsync_path(path):
    """Flush a file or a directory to disk (directories: the names in them)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if os.path.isdir(path) else 0
    try:
        fd = os.open(path, flags or os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def say(text=""):
    print(text, flush=True)


class Progress:
    """A progress line on stderr, rewritten in place, when stderr is a terminal."""

    def __init__(self):
        self.live = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def update(self, text):
        now = time.monotonic()
        if self.live and now - self.last > 0.2:
            self.last = now
            sys.stderr.write("\r\x1b[K" + text)
            sys.stderr.flush()
            self.shown = True

    def done(self):
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def human_size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
