"""Shared reports: read-only links to one report (a set of tags and a time range).

The owner makes a share with a web token (``POST shares``), lists them (``GET
shares``) and revokes one (``PUT shares`` with ``{"revoke": key}``). Whoever holds
the share token reads that report and nothing else (``GET shared``, token in the
``sharetoken`` header): the records of the range carrying all of the share's tags
(hidden ones left out), the share's description, and the ``taginfo`` settings of the
tags in those records (only their colours and rates), never other settings.

A share token is ``<user>.<key>.<secret>``: ``user`` is the user name in url-safe
base64 (so the server finds the user's file without a global index), ``key`` names
the share (it is listed and revoked by it), and ``secret`` is 32 random bytes. Only
the SHA-256 of the secret is stored, in the user's ``userinfo`` table under
``share <key>`` (the clients never sync that table); the check compares digests in
constant time. A share token is not a JWT: ``authenticate`` refuses it like any
other text it did not sign, so it opens no other endpoint.

The range is fixed (``{"t1": a, "t2": b}``) or ``{"current_month": offset}``: the
calendar month, at the time of reading, in the owner's UTC offset (minutes east of
UTC, as the owner's browser gave it when the share was made).
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta, timezone

from ._http import HTTPError, header, json_response, parse_json, read_body
from ._items import parse_tag_filter, tags_of
from ._threads import in_thread
from ._utils import username_problem

MAX_SHARES = 100  # per user
MAX_TAGS = 20
MAX_RECORDS = 100_000  # a shared report is read in one piece
MAX_TOKEN = 400


def unauthorized(why):
    return HTTPError(401, f"the share token {why}")


# %% Parsing what the owner sends


def parse_range(ob):
    if not isinstance(ob, dict):
        raise HTTPError(
            400,
            'range must be {"t1": <start>, "t2": <end>} or {"current_month": <offset>}',
        )
    if set(ob) not in ({"current_month"}, {"t1", "t2"}):
        raise HTTPError(
            400,
            'range must be {"t1": <start>, "t2": <end>} or {"current_month": <offset>}'
            f", not an object with {', '.join(sorted(ob))[:100]}",
        )
    if "current_month" in ob:
        offset = ob["current_month"]
        if isinstance(offset, float) and offset.is_integer():
            offset = int(offset)
        if (
            not isinstance(offset, int)
            or isinstance(offset, bool)
            or not -16 * 60 <= offset <= 16 * 60
        ):
            raise HTTPError(
                400,
                "range: current_month takes the UTC offset in minutes (-960 to 960)",
            )
        return {"current_month": offset}
    t1, t2 = ob.get("t1"), ob.get("t2")
    for name, value in (("t1", t1), ("t2", t2)):
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not 0 <= value < 2**40
        ):
            raise HTTPError(400, f"range: {name} must be a time in seconds")
    return {"t1": min(t1, t2), "t2": max(t1, t2)}  # like records?timerange


def parse_new_share(ob):
    if not isinstance(ob, dict):
        raise HTTPError(400, "the body must be a JSON object")
    tags = ob.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise HTTPError(400, 'tags must be a list of tags, e.g. ["#client"]')
    tagset = parse_tag_filter(",".join(t for t in tags if "," not in t))
    if len(tags) > MAX_TAGS or any("," in t or len(t) > 100 for t in tags):
        raise HTTPError(400, f"tags: at most {MAX_TAGS} tags without commas")
    share = {"tags": sorted(tagset), "range": parse_range(ob.get("range"))}
    expires = ob.get("expires")
    if expires is not None:
        if (
            not isinstance(expires, (int, float))
            or isinstance(expires, bool)
            or not 0 <= expires < 2**40
        ):
            raise HTTPError(400, "expires must be a time in seconds (or absent)")
        share["expires"] = expires
    description = ob.get("description", "")
    if not isinstance(description, str) or len(description) > 200:
        raise HTTPError(400, "description must be a text of at most 200 characters")
    share["description"] = description
    return share


def public_view(key, share):
    """What the owner's list (and the shared page) sees of a stored share."""
    view = {k: share[k] for k in ("tags", "range", "description") if k in share}
    view["key"] = key
    view["created"] = share.get("created", 0)
    view["expires"] = share.get("expires")
    return view


def range_now(rng, now=None):
    """The [t1, t2] a stored range covers now."""
    if "current_month" not in rng:
        return rng["t1"], rng["t2"]
    zone = timezone(timedelta(minutes=rng["current_month"]))
    local = datetime.fromtimestamp(time.time() if now is None else now, zone)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start.month == 12:
        end = start.replace(year=start.year + 1, month=1)
    else:
        end = start.replace(month=start.month + 1)
    return start.timestamp(), end.timestamp()


# %% Tokens


def make_token(username, key, secret):
    user = base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")
    return f"{user}.{key}.{secret}"


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token):
    """(username, key, secret) of a share token's text; 401 when it is not one."""
    if not token:
        raise HTTPError(401, "no sharetoken header (open the shared link again)")
    token = token.strip()
    parts = token.split(".")
    if len(token) > MAX_TOKEN or len(parts) != 3 or not all(parts):
        raise unauthorized("is malformed")
    user, key, secret = parts
    try:
        username = base64.urlsafe_b64decode(user + "=" * (-len(user) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unauthorized("is malformed") from None
    if username_problem(username):
        raise unauthorized("is malformed")
    return username, key, secret


# %% Endpoints


def collect(read, wanted):
    """The records of a ``RangeRead`` that carry every tag in ``wanted`` (hidden ones
    left out), with only the fields a report draws; and the tags they carry."""
    records = []
    seen_tags = set()
    with read as texts:
        for text in texts:
            try:
                ob = json.loads(text)
                ds = ob.get("ds", "")
            except (ValueError, AttributeError):
                continue
            ds = ds if isinstance(ds, str) else ""
            if ds.startswith("HIDDEN"):
                continue
            tags = tags_of(ds)
            if not wanted.issubset(tags):
                continue
            seen_tags.update(tags)
            records.append({k: ob.get(k) for k in ("key", "t1", "t2", "mt", "ds")})
            if len(records) > MAX_RECORDS:
                raise HTTPError(
                    413, f"the shared report has over {MAX_RECORDS} records"
                )
    return records, seen_tags


async def post_shares(server, request, auth_info, db):
    from ._apiserver import refuse_apitoken

    refuse_apitoken(auth_info, "shares")
    share = parse_new_share(parse_json(await read_body(request, 16384)))
    key = secrets.token_urlsafe(9)
    secret = secrets.token_urlsafe(32)
    share["created"] = time.time()
    share["hash"] = digest(secret)
    if not await db.put_share(key, share, MAX_SHARES):
        raise HTTPError(400, f"too many shares: at most {MAX_SHARES}, revoke one first")
    token = make_token(auth_info["username"], key, secret)
    return json_response({"token": token, "share": public_view(key, share)})


async def get_shares(server, request, auth_info, db):
    from ._apiserver import refuse_apitoken

    refuse_apitoken(auth_info, "shares")
    shares = db.shares()
    views = [public_view(key, share) for key, share in shares.items()]
    views.sort(key=lambda v: v["created"])
    return json_response({"shares": views})


async def put_shares(server, request, auth_info, db):
    from ._apiserver import refuse_apitoken

    refuse_apitoken(auth_info, "shares")
    ob = parse_json(await read_body(request, 16384))
    key = ob.get("revoke") if isinstance(ob, dict) else None
    if not isinstance(key, str) or not key or len(key) > 100:
        raise HTTPError(400, 'the body must be {"revoke": <key of a share>}')
    if not await db.delete_share(key):
        raise HTTPError(404, f"no share {key[:100]!r} (revoked already?)")
    return json_response({"revoked": key})


async def get_shared(server, request):
    """The shared report: public, with the share token instead of a login."""
    username, key, secret = split_token(header(request, "sharetoken"))
    db = server.stores.get(username)
    if db is None:
        raise unauthorized("names no share here")
    share = db.shares().get(key)
    stored = share.get("hash") if share else None
    if not (isinstance(stored, str) and stored.isascii()):
        stored = None  # compare_digest takes ASCII text only
    # Compared in constant time, and a digest is compared even for an unknown key.
    if not hmac.compare_digest(digest(secret), stored or "-" * 64) or not stored:
        raise unauthorized("has been revoked or was never valid")
    expires = share.get("expires")
    if expires is not None and expires < time.time():
        raise unauthorized("has expired (ask for a new link)")
    t1, t2 = range_now(share["range"])
    read = db.records_in_range(t1, t2, None)
    if read.big:  # a wide range is read in a thread
        records, seen_tags = await in_thread(collect, read, set(share["tags"]))
    else:
        records, seen_tags = collect(read, set(share["tags"]))
    taginfo = []
    for piece in db.settings_pieces():
        for ob in json.loads(b"[" + piece + b"]"):
            name = ob.get("key", "") if isinstance(ob, dict) else ""
            if isinstance(name, str) and name.startswith("taginfo "):
                if set(name[len("taginfo ") :].split()) <= seen_tags:
                    # Colour and rate draw the report; targets stay private.
                    value = ob.get("value")
                    if isinstance(value, dict):
                        value = {k: value[k] for k in ("color", "rate") if k in value}
                    taginfo.append({"key": name, "value": value, "mt": ob.get("mt")})
    view = public_view(key, share)
    view.pop("created")
    view["t1"], view["t2"] = t1, t2
    return json_response({"share": view, "records": records, "taginfo": taginfo})
