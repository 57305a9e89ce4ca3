"""Where data lives: ``datadir_path`` turns a ``datadir`` setting into paths (the only
place that expands it), and each user has one SQLite file under ``<datadir>/users/``.

``user2filename`` and ``filename2user`` convert between a user name and its database
file: ``<clean>~<b64>.db``, where ``clean`` is the name with every character outside
``A-Za-z0-9-_`` replaced by ``-`` (readable in a directory listing) and ``b64`` is the
URL-safe base64 of the UTF-8 name (exact and reversible). No user name can produce a
path outside ``users/``.
"""

import base64
import os
import re

from .. import config

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def datadir_path(datadir: str, *parts: str) -> str:
    """An absolute path inside the data directory ``datadir`` (a setting's value,
    ``~`` expanded): the one place where that setting becomes a path."""
    return os.path.join(os.path.abspath(os.path.expanduser(datadir)), *parts)


def data_path(*parts: str) -> str:
    """An absolute path inside ``config.datadir``."""
    return datadir_path(config.datadir, *parts)


def users_dir() -> str:
    """The absolute directory that holds the user databases."""
    return data_path("users")


def user_file(folder: str, user: str) -> str:
    """The database file of ``user`` in the folder of user databases ``folder``."""
    if not isinstance(user, str) or not user:
        raise ValueError("user2filename() needs a non-empty user name")
    clean = _UNSAFE.sub("-", user)
    b64 = base64.urlsafe_b64encode(user.encode("utf-8")).decode("ascii")
    return os.path.join(folder, f"{clean}~{b64}.db")


def user2filename(user: str) -> str:
    """Convert a username (e.g. email address) to the corresponding absolute filename."""
    return user_file(users_dir(), user)


def username_problem(user: str) -> str | None:
    """Why ``user`` cannot be a user name (a short text), or None when it can.

    Any non-empty text is allowed as long as its database file name fits in the
    255 bytes that file systems allow (roughly 100 ASCII characters).
    """
    if not isinstance(user, str) or not user:
        return "the user name is empty"
    if len(user) > 255:
        return "the user name is too long"
    try:
        user.encode("utf-8")
    except UnicodeEncodeError:
        return "the user name is not valid text"
    if len(user_file("", user).encode()) > 255:
        return "the user name is too long"
    return None


def filename2user(filename: str) -> str:
    """Convert a (relative or absolute) filename to the corresponding username."""
    name = os.path.basename(filename)
    if name.endswith(".db"):
        name = name[:-3]
    b64 = name.rpartition("~")[2]
    return base64.urlsafe_b64decode(b64.encode("ascii")).decode("utf-8")
