"""Validation of incoming records and settings, and the tag rules of the record filter.

Each validator takes one object of a PUT body and returns ``(item, None)`` with a clean
copy (fields coerced, unknown fields dropped, in the order the original stores them)
or ``(None, message)``. Numbers are coerced the way Python's ``int()`` does for
strings and floats, but ``NaN``, infinities, booleans and integers beyond 64 bits are
refused, so nothing that SQLite cannot store ever reaches it.
"""

import json
import re

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


def split_items(kind, obs):
    """Validate a PUT body (a list). Returns ``(entries, errors)``: ``entries`` holds
    ``(key, item_or_None, error_or_None)`` for each object with a str key, ``errors``
    a message for each element that is not such an object."""
    validate = VALIDATORS[kind]
    entries = []
    errors = []
    for index, ob in enumerate(obs):
        if not isinstance(ob, dict) or not isinstance(ob.get("key"), str):
            errors.append(f"item {index} is not an object with a string key")
            continue
        item, error = validate(ob)
        entries.append((ob["key"], item, error))
    return entries, errors


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
