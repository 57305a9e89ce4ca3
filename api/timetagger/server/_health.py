"""The bad days of storage: a full disk and a damaged user file, told apart from other
errors, answered with a clear status, and logged once.

- **Out of space** (``SQLITE_FULL``, ``ENOSPC``/``EDQUOT``, or a write error while the
  file system has no room left): the request answers 507. The first one of an
  *episode* logs a warning; the next successful write ends it (logged too). Nothing
  waits for space: every write is tried, so writing resumes by itself once space is
  freed. Reads need no space and keep working.
- **Damaged** (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``: "malformed", "not a database"):
  the file is *quarantined* (``mark_damaged``): the user's requests answer 503 before
  SQLite touches the file again, and the log names the file once. The mark holds the
  file's identity (device, inode): when ``python -m timetagger repair`` has put a new
  file in its place, ``still_damaged`` sees another inode, lifts the mark and the user
  is served again, without a restart.

The state is per process (each worker notices for itself). The metrics count the
507 and 503 answers (``_metrics``).
"""

import errno
import logging
import os
import sqlite3
import time

from ._http import HTTPError

logger = logging.getLogger("timetagger")

SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_NOTADB = 26
SQLITE_IOERR = 10
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
LOW_SPACE = 64 * 1024  # bytes free below which a write error is taken for a full disk
RESUMED_SPACE = 1024 * 1024  # bytes free that end a full-disk episode

OUT_OF_SPACE_TEXT = (
    "the server is out of disk space; reading works, and writing resumes once "
    "the host frees space"
)
DAMAGED_TEXT = (
    "this user's data file is damaged; the host can run "
    "python -m timetagger repair USER"
)

# Per process: is the disk full now (since when), and which files are quarantined.
disk = {"full_since": None}
damaged = {}  # filename -> (st_dev, st_ino) of the damaged file


def _code(err):
    """The primary SQLite result code of an error (None when unknown)."""
    code = getattr(err, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF


def is_damage(err):
    """True for SQLite's "malformed" and "not a database" errors."""
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    code = _code(err)
    if code is not None:
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def free_bytes(path):
    """Bytes free for us on the file system of ``path`` (None when unknown)."""
    while path and not os.path.exists(path):
        path = os.path.dirname(path)
    try:
        st = os.statvfs(path or ".")
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def is_out_of_space(err, path=None):
    """True when ``err`` means the disk (or the quota) is full. A plain I/O error
    counts when the file system of ``path`` has almost no room left."""
    if isinstance(err, OSError):
        if err.errno in FULL_ERRNOS:
            return True
        plain_io = err.errno == errno.EIO
    elif isinstance(err, sqlite3.DatabaseError):
        code, text = _code(err), str(err).lower()
        if code == SQLITE_FULL or "disk is full" in text:
            return True
        plain_io = code == SQLITE_IOERR or "i/o error" in text
    else:
        return False
    if not plain_io or path is None:
        return False
    free = free_bytes(path)
    return free is not None and free < LOW_SPACE


def out_of_space(path, err):
    """Note a request that failed for lack of space; returns the 507 to answer."""
    note_full(path, err)
    return OutOfSpace()


def note_full(path, err):
    """A write to ``path`` failed for lack of space: an episode starts (logged)."""
    if disk["full_since"] is None:
        disk["full_since"] = time.time()
        logger.warning(
            "out of disk space: a write to %s failed (%s); writes answer 507 until "
            "space is freed, reads go on",
            path,
            err,
        )


def wrote(path):
    """A write to ``path`` succeeded: a full-disk episode, if any, is over once
    there is room again (not on a small write that still fit: no log per write)."""
    if disk["full_since"] is not None:
        free = free_bytes(path)
        if free is not None and free < RESUMED_SPACE:
            return
        seconds = time.time() - disk["full_since"]
        disk["full_since"] = None
        logger.warning(
            "disk space is available again: writes resume (out of space for %.0f s)",
            seconds,
        )


def _identity(filename):
    try:
        st = os.stat(filename)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def mark_damaged(filename, err):
    """Quarantine a damaged file (logged once per file); returns the 503 to answer."""
    if filename not in damaged:
        damaged[filename] = _identity(filename)
        logger.error(
            "damaged user file %s (%s): its user gets 503 and nothing more is "
            "written into it; run: python -m timetagger repair USER",
            filename,
            err,
        )
    return Damaged()


def still_damaged(filename):
    """True while the quarantined file is the one found damaged; once another file
    is in its place (``repair`` ran), the mark is lifted and False is returned."""
    if filename not in damaged:
        return False
    if _identity(filename) == damaged[filename]:
        return True
    del damaged[filename]
    logger.warning("user file %s was replaced: serving it again", filename)
    return False


class OutOfSpace(HTTPError):
    def __init__(self):
        super().__init__(507, OUT_OF_SPACE_TEXT)


class Damaged(HTTPError):
    def __init__(self):
        super().__init__(503, DAMAGED_TEXT)
