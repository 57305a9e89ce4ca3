"""``python -m timetagger restore SRC``: put a backup made by ``backup`` back into the
data directory.

Every user file of the backup (or those of ``--user``) is checked, copied next to its
place and renamed into ``<datadir>/users/``, one file at a time. ``jwt.key`` is put
back when the data directory has none. The server must be stopped: it keeps its
files open, and would go on using the replaced ones; a server with any user file
open is detected and the restore refused. Existing user files are never overwritten
without ``--force``; with it, the files they replace are moved to
``<datadir>/replaced-<UTC time>/``, not deleted.
"""

import json
import os
import shutil
import sqlite3

from . import (
    EXIT_OK,
    EXIT_PROBLEM,
    Refused,
    UsageError,
    datadir,
    fsync_path,
    refuse_if_in_use,
    say,
    timestamp,
    user_files,
    user_of,
    users_dir,
)
from .backup import MANIFEST
from .check import connect_readonly

EPILOG = """\
SRC is one backup folder (DEST/timetagger-<time>, with backup.json and users/).
Stop the server first. Exit code 0 when every file was restored, 1 when a file of the
backup failed its check (the others are restored), 2 for a usage error, 3 when
refused (a server has files open, or files exist and --force was not given).
"""


def add_arguments(parser):
    parser.add_argument("src", metavar="SRC", help="the backup folder to restore")
    parser.add_argument(
        "--user",
        action="append",
        metavar="USER",
        help="restore only this user (repeatable); default: every user in the backup",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace existing user files and a different jwt.key "
        "(the replaced files are kept in <datadir>/replaced-<time>/)",
    )


def quick_check(filename):
    try:
        conn = connect_readonly(filename)
    except sqlite3.Error as err:
        return [str(err)]
    try:
        return [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as err:
        return [str(err)]
    finally:
        conn.close()


def main(args):
    src = os.path.abspath(os.path.expanduser(args.src))
    src_users = os.path.join(src, "users")
    if not os.path.isdir(src_users):
        raise UsageError(f"{src} is not a backup folder (it has no users/ folder)")
    if not os.path.isfile(os.path.join(src, MANIFEST)):
        say(f"note: {src} has no {MANIFEST}; restoring its users/ folder as it is")
    else:
        with open(os.path.join(src, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
        for failed in manifest.get("failed", []):
            say(f"note: the backup could not copy {failed['file']}: {failed['error']}")
    files = user_files(src_users)
    if args.user:
        wanted = {}
        for user in args.user:
            matches = [f for f in files if user_of(f) == user]
            if not matches:
                raise UsageError(f"the backup has no file for user {user!r}")
            wanted[matches[0]] = True
        files = list(wanted)
    target_dir = users_dir()
    targets = [os.path.join(target_dir, os.path.basename(f)) for f in files]
    # Refuse before writing anything: a running server, or files in the way.
    refuse_if_in_use(user_files(target_dir), "restore")
    existing = [t for t in targets if os.path.exists(t)]
    if existing and not args.force:
        names = ", ".join(existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise Refused(
            f"{len(existing)} user file(s) exist already ({names}): "
            "use --force to replace them (they are kept aside)"
        )
    os.makedirs(target_dir, exist_ok=True)
    aside = os.path.join(datadir(), f"replaced-{timestamp()}")
    restored, failed = 0, 0
    key_note = restore_key(src, aside, args.force)
    for source, target in zip(files, targets, strict=True):
        user = user_of(source)
        label = repr(user) if user is not None else os.path.basename(source)
        result = quick_check(source)
        if result != ["ok"]:
            failed += 1
            say(f"FAILED  {label} {source}: the backup copy is damaged: {result[0]}")
            continue
        tmp = os.path.join(target_dir, "." + os.path.basename(target) + ".restore-tmp")
        shutil.copyfile(source, tmp)
        fsync_path(tmp)
        # A -wal left beside the old file would be applied to the restored one.
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.makedirs(os.path.join(aside, "users"), exist_ok=True)
                os.rename(
                    target + suffix,
                    os.path.join(aside, "users", os.path.basename(target) + suffix),
                )
        os.rename(tmp, target)
        restored += 1
        say(f"ok      {label} -> {target}")
    fsync_path(target_dir)
    if key_note:
        say(key_note)
    if os.path.isdir(aside):
        say(f"the replaced files are kept in {aside}")
    say(
        f"restored {restored} user file(s) into {target_dir}"
        + (f", {failed} FAILED" if failed else "")
    )
    return EXIT_PROBLEM if failed else EXIT_OK


def restore_key(src, aside, force):
    """Put the backup's jwt.key in place when there is none (or with ``force``)."""
    source = os.path.join(src, "jwt.key")
    target = os.path.join(datadir(), "jwt.key")
    if not os.path.isfile(source):
        return "note: the backup has no jwt.key (tokens issued before need a new login)"
    with open(source, "rb") as f:
        wanted = f.read()
    if os.path.isfile(target):
        with open(target, "rb") as f:
            if f.read() == wanted:
                return None
        if not force:
            return (
                f"kept the existing {target} (it differs from the backup's): tokens "
                "issued before the backup need a new login; --force restores the key"
            )
        os.makedirs(aside, exist_ok=True)
        os.rename(target, os.path.join(aside, "jwt.key"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".restore-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, wanted)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, target)
    return f"restored {target}"
