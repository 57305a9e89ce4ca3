"""Reading and validating PUT bodies of records and settings, and the tag rules of the
record filter.

Each validator takes one object of a PUT body and returns ``(item, None)`` with a clean
copy (fields coerced, unknown fields dropped, in the order the original stores them)
or ``(None, message)``. Numbers are coerced the way Python's ``int()`` does for
strings and floats, but ``NaN``, infinities, booleans and integers beyond 64 bits are
refused, so nothing that SQLite cannot store ever reaches it. A key must be valid
Unicode: one holding a lone surrogate (JSON ``"\\ud800"``), which no SQLite text
column can hold, fails that item alone. Descriptions and setting values are stored as
JSON with ASCII escapes, so a lone surrogate there is kept as given (as the original
does; the client's own truncation of a description can produce one).

``PutItems`` reads a body element by element (see its docstring), so a 10 MiB body
costs a bounded amount of memory whatever it holds; the answer's error list is capped
(``ErrorList``, ``summarize_errors``: the first ``MAX_ERRORS`` messages, then one
message with the count of the others).
"""

import json
import re
from itertools import islice

from ._http import HTTPError, parse_json, size_text

MAX_KEY = 255  # keys and descriptions: fewer than 256 characters
MAX_DS = 255
MAX_VALUE = 8191  # settings: the JSON encoding of the value, fewer than 8192 characters
INT_LIMIT = 2**63

# TG-01: '#' then one or more of 0-9 A-Z a-z - / _ or any character above U+007F.
TAG = re.compile(r"#[0-9A-Za-z_/\-\u0080-\U0010ffff]+")


class Invalid(ValueError):
    pass


def to_int(value, name):
    if isinstance(value, bool):
        raise Invalid(f"{name} must be a number, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(f"{name} must be a finite number")
        if abs(value) >= INT_LIMIT:
            raise Invalid(f"{name} is too large")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 24 or not re.fullmatch(r"[+-]?\d+", text):
            raise Invalid(f"{name} must be a whole number, not {value[:30]!r}")
        number = int(text)
    else:
        raise Invalid(f"{name} must be a number, not {type(value).__name__}")
    if not -INT_LIMIT <= number < INT_LIMIT:
        raise Invalid(f"{name} is too large (more than 64 bits)")
    return number


def is_valid_text(text):
    """False for a str holding a lone surrogate, which JSON can carry (``\\ud800``)
    but UTF-8, SQLite and file names cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_text(value, name, maxlen):
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
    else:
        raise Invalid(f"{name} must be text, not {type(value).__name__}")
    if len(text) > maxlen:
        raise Invalid(f"{name} must be shorter than {maxlen + 1} characters")
    return text


def check_key(key):
    if not key:
        raise Invalid("the key is empty")
    if len(key) > MAX_KEY:
        raise Invalid(f"the key must be shorter than {MAX_KEY + 1} characters")


def validate_record(ob):
    """A clean record from an incoming object with a str key, or (None, message)."""
    try:
        check_key(ob["key"])
        for name in ("mt", "t1", "t2"):
            if name not in ob:
                raise Invalid(f"the field {name} is missing")
        item = {
            "key": ob["key"],
            "mt": to_int(ob["mt"], "mt"),
            "t1": to_int(ob["t1"], "t1"),
            "t2": to_int(ob["t2"], "t2"),
        }
        if "ds" in ob:
            item["ds"] = to_text(ob["ds"], "ds", MAX_DS)
    except Invalid as err:
        return None, f"record {_short(ob['key'])}: {err}"
    return item, None


def validate_setting(ob):
    """A clean setting from an incoming object with a str key, or (None, message)."""
    try:
        check_key(ob["key"])
        for name in ("mt", "value"):
            if name not in ob:
                raise Invalid(f"the field {name} is missing")
        mt = to_int(ob["mt"], "mt")
        try:
            encoded = json.dumps(ob["value"], allow_nan=False)
        except ValueError:
            raise Invalid("the value holds a number JSON cannot carry") from None
        except RecursionError:
            raise Invalid("the value is nested too deeply") from None
        if len(encoded) > MAX_VALUE:
            raise Invalid(
                f"the value must encode to fewer than {MAX_VALUE + 1} characters"
            )
    except Invalid as err:
        return None, f"setting {_short(ob['key'])}: {err}"
    return {"key": ob["key"], "mt": mt, "value": ob["value"]}, None


VALIDATORS = {"records": validate_record, "settings": validate_setting}


def _short(key):
    return repr(key if len(key) <= 40 else key[:37] + "...")


# %% Reading a PUT body

MAX_ERRORS = 100  # error messages listed in a PUT answer; the rest are counted
SMALL_BODY = 256 * 1024  # bodies up to this size are parsed in one go
WINDOW = 2**20  # characters of a big body decoded at a time; also the largest item
RUN = 10000  # elements skipped per regular-expression match (bounds its stack)

_WS = re.compile(r"[ \t\n\r]*")
# An element that can never be an item, with no comma inside (so that the commas of
# a run of them count its elements): a number, a literal, a string without a comma,
# an empty array or object. Runs of these are skipped without decoding each one.
_JUNK = (
    r"(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
    r'|"(?:[^",\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
    r"|\[[ \t\n\r]*\]|\{[ \t\n\r]*\})"
)
_JUNK_RUN = re.compile(rf"(?:{_JUNK}[ \t\n\r]*,[ \t\n\r]*){{1,{RUN}}}")


def _refuse_constant(name):
    raise ValueError(f"{name} is not allowed in JSON")


_decode_at = json.JSONDecoder(parse_constant=_refuse_constant).raw_decode


class ErrorList(list):
    """A list of error messages that keeps the first ``MAX_ERRORS`` and counts the
    rest in ``more`` (so that a body of a million bad items cannot make a huge
    answer, nor hold a million messages in memory)."""

    def __init__(self):
        super().__init__()
        self.more = 0

    def append(self, message):
        if len(self) < MAX_ERRORS:
            super().append(message)
        else:
            self.more += 1


def summarize_errors(*lists):
    """The ``errors`` of a PUT answer: the messages of the lists in order, at most
    ``MAX_ERRORS`` of them, then (when there were more) one message with the count."""
    listed = []
    total = 0
    for messages in lists:
        total += len(messages) + getattr(messages, "more", 0)
        listed.extend(messages[: MAX_ERRORS - len(listed)])
    if total > len(listed):
        listed.append(
            f"and {total - len(listed)} more errors "
            f"(only the first {MAX_ERRORS} are listed)"
        )
    return listed


class PutItems:
    """The items of a PUT body, validated one at a time as they are read.

    Iterating yields ``(key, item_or_None, error_or_None)`` for each element that is
    an object with a storable string key (what ``_store.write_items`` takes). The
    other elements never reach the store: ``rejected`` lists the keys that are text
    but not valid text (a lone surrogate; they are answered as ``failed``), and
    ``errors`` (an ``ErrorList``) says what was wrong with each, in body order.

    A body up to ``SMALL_BODY`` is parsed in one go. A bigger one is decoded element
    by element from a window of ``WINDOW`` characters, so what it costs is bounded by
    the window and by what is kept (the clean items of the chunk being written, the
    keys for the answer), never by the number or the shape of the elements: a 10 MiB
    list of five million zeros or empty objects costs a few MiB, not a GiB. Once
    ``MAX_ERRORS`` messages are collected, runs of elements that cannot be items are
    skipped by a regular expression instead of being decoded one by one. An element
    longer than the window is refused (400): no valid item comes near that size.

    Structural errors (not JSON, not a list, ``NaN``, nested too deeply) raise a 400
    ``HTTPError`` while iterating; the store's transaction then rolls back, so such
    a body writes nothing.
    """

    def __init__(self, kind, body, elements=None):
        self.kind = kind
        self.validate = VALIDATORS[kind]
        self.rejected = []
        self.errors = ErrorList()
        if elements is not None:  # already decoded (see split_items)
            self.elements = enumerate(elements)
        elif len(body) <= SMALL_BODY:
            obs = parse_json(body)
            if not isinstance(obs, list):
                raise HTTPError(400, f"the body must be a JSON list of {kind}")
            self.elements = enumerate(obs)
        else:
            try:
                self.text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPError(400, "the body is not valid UTF-8") from None
            start = _WS.match(self.text).end()
            first = self.text[start : start + 1]
            if first != "[":
                if first in ("{", '"'):
                    raise HTTPError(400, f"the body must be a JSON list of {kind}")
                raise HTTPError(400, "the body is not valid JSON")
            self.elements = _Elements(self.text, start + 1, self.errors)

    def __iter__(self):
        for index, ob in self.elements:
            key = ob.get("key") if isinstance(ob, dict) else None
            if not isinstance(key, str):
                self.errors.append(f"item {index} is not an object with a string key")
                continue
            if not is_valid_text(key):
                self.rejected.append(key)
                self.errors.append(
                    f"{self.kind[:-1]} {_short(key)}: the key is not valid text "
                    "(it holds a lone surrogate)"
                )
                continue
            yield (key, *self.validate(ob))


def split_items(kind, obs):
    """Validate a decoded PUT body (a list). Returns ``(entries, errors)``: the
    entries to store and the messages about the other elements (see ``PutItems``)."""
    items = PutItems(kind, b"", obs)
    entries = list(items)
    return entries, list(items.errors)


class _Elements:
    """Iterates over ``(index, element)`` of the JSON list whose ``[`` is just before
    ``start`` in ``text``, decoding each element from a window of the text (see
    ``PutItems``). Elements skipped in a run are only counted in ``errors``.

    The loop is written for speed (locals, one regular expression per separator):
    a body of a million small elements goes through it a million times.
    """

    def __init__(self, text, start, errors):
        self.text = text
        self.start = start
        self.errors = errors

    def __iter__(self):
        text, size, errors = self.text, len(self.text), self.errors
        decode, sep, junk = _decode_at, _SEP.match, _JUNK_RUN.match
        offset = 0  # where the window starts in the text
        window = text[:WINDOW]
        # Past this position the window moves along (a large number when the window
        # holds the rest of the text).
        slide_at = WINDOW * 3 // 4 if len(window) < size else size + 1
        pos = _WS.match(window, self.start).end()
        if window.startswith("]", pos):
            return _check_end(text, offset + pos + 1)
        index = 0
        while True:
            if pos > slide_at:
                offset += pos
                window, pos = text[offset : offset + WINDOW], 0
                slide_at = WINDOW * 3 // 4 if offset + len(window) < size else size + 1
            if errors.more:  # past MAX_ERRORS: skip runs of junk in bulk
                run = junk(window, pos)
                if run is not None:
                    count = window.count(",", pos, run.end())
                    errors.more += count
                    index += count
                    pos = run.end()
                    continue
            try:
                ob, end = decode(window, pos)
            except RecursionError:
                raise HTTPError(400, f"item {index} is nested too deeply") from None
            except ValueError as err:
                if offset + len(window) >= size:
                    raise _not_json(f"item {index}: {str(err)[:120]}") from None
                if pos == 0:
                    raise HTTPError(
                        400,
                        f"item {index} is not valid JSON or longer than "
                        f"{size_text(WINDOW)}",
                    ) from None
                slide_at = -1  # the element runs past the window: move it along
                continue
            m = sep(window, end)
            if m is None or m.end() == len(window):
                if offset + len(window) < size:  # the window ends too soon to tell
                    if pos == 0:
                        raise HTTPError(
                            400, f"item {index} is longer than {size_text(WINDOW)}"
                        )
                    slide_at = -1
                    continue
                if m is None:
                    raise _not_json(f"expecting ',' or ']' after item {index}")
            yield index, ob
            del ob
            index += 1
            pos = m.end()
            if window[pos - 1] == "]":
                return _check_end(text, offset + pos)


_SEP = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*|\])")


def _not_json(what):
    return HTTPError(400, f"the body is not valid JSON ({what})")


def _check_end(text, pos):
    """After the closing ``]`` only blanks may follow."""
    if _WS.match(text, pos).end() != len(text):
        raise _not_json("extra data after the list")


def chunked(iterable, size):
    """Lists of up to ``size`` consecutive elements of ``iterable``."""
    iterator = iter(iterable)
    while True:
        chunk = list(islice(iterator, size))
        if not chunk:
            return
        yield chunk


def tags_of(ds):
    """The set of (lower-case) tags in a description."""
    return {tag.lower() for tag in TAG.findall(ds or "")}


def parse_tag_filter(text):
    """``a,#b`` -> ``{"#a", "#b"}`` (lower-case); empty parts are ignored."""
    tags = set()
    for part in text.split(","):
        part = part.strip().lstrip("#").lower()
        if part:
            tags.add("#" + part)
    return tags
