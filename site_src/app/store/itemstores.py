"""Item stores: records and settings by key, with the local edit pipeline.

Used by the data stores of ``stores`` (``store.records``, ``store.settings``):

* validation of records and settings (DM0-1..DM0-4, the same fields and limits as the
  API, TS-25, TS-52), keys (DM0-5), the deletion convention (DM0-7, RC-17);
* the conflict rule (SY-09), applied to local puts and to received items alike;
* ``put`` (RC-21, SY-02): stamp ``st = 0``, ``mt = now``, validate, drop an outdated
  edit, queue it (one entry per key: repeated edits collapse, SY-03), remember it as
  unsynced, and let the data store persist that *before* anything else; then store it;
* the queue taken for a push and restored after a failure without overwriting newer
  edits; keys the server refused dropped;
* ``RecordStore``: the range queries and stats (RC-01) over ``recordindex``; hidden
  records stay in the store but out of every query; running records count up to now.

Pure logic: no DOM, no network.
"""

from pscript import window

from ..core import dt, tags
from . import recordindex

STR_LIMIT = 256  # keys and descriptions must be shorter (DM0-3)
JSON_LIMIT = 8192  # a setting's JSON must be shorter
RECORD_SPEC = {
    "key": "str",
    "t1": "int",
    "t2": "int",
    "ds": "str",
    "mt": "int",
    "st": "float",
}
RECORD_REQUIRED = ["key", "mt", "t1", "t2"]
SETTING_SPEC = {"key": "str", "value": "any", "mt": "int", "st": "float"}
SETTING_REQUIRED = ["key", "mt", "value"]


KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


# %% Helpers


def _list(iterable):
    """An array of what a Map/Set iterator gives (``Array.from``)."""
    return window.Array["from"](iterable)


def _now():
    """The (pinnable) clock of the app, in seconds."""
    return dt.now()


def _is_number(x):
    return isinstance(x, float) and window.isFinite(x)


def new_key():
    """A new record key: 8 letters a-z A-Z from the crypto RNG, uniform (DM0-5)."""
    key = ""
    while len(key) < 8:
        data = window.Uint8Array(16)
        window.crypto.getRandomValues(data)
        for i in range(len(data)):
            if data[i] < 208 and len(key) < 8:  # 208 = 4 * 52: no modulo bias
                key += KEY_CHARS[data[i] % 52]
    return key


_tagz_cache = {"map": window.Map()}
TAGZ_CACHE_SIZE = 20000


def tagz_of(ds):
    """``tags.get_tagz(ds)``, remembered: many records share a description."""
    cache = _tagz_cache.map
    tagz = cache["get"](ds)
    if tagz is undefined:
        if cache.size >= TAGZ_CACHE_SIZE:
            cache.clear()
        tagz = tags.get_tagz(ds)
        cache["set"](ds, tagz)
    return tagz


def is_hidden(record):
    """Whether a record is deleted (DM0-7): its description starts with HIDDEN."""
    return bool(record.ds) and record.ds.startsWith("HIDDEN")


def is_newer(incoming, current):
    """The client conflict rule (SY-09): may ``incoming`` replace ``current``?"""
    if not current:
        return True
    if incoming.st > 0 and current.st > 0:
        return incoming.st > current.st
    return incoming.mt >= current.mt


def validate_record(item):
    """``[clean copy, ""]`` or ``[None, reason]``. The copy has the known fields only,
    whole-second times with ``t1 <= t2``, and a normalised description (DM0-4)."""
    if not isinstance(item, dict):
        return [None, "not an object"]
    for name in RECORD_REQUIRED:
        if item[name] is undefined or item[name] is None:
            return [None, "missing " + name]
    if not isinstance(item.key, str) or not item.key:
        return [None, "key must be a non-empty string"]
    if len(item.key) >= STR_LIMIT:
        return [None, "key too long"]
    for name in ["t1", "t2", "mt"]:
        if not _is_number(item[name]):
            return [None, name + " must be a number"]
    st = item.st
    if st is undefined or st is None:
        st = 0
    if not _is_number(st):
        return [None, "st must be a number"]
    ds = item.ds
    if ds is undefined or ds is None:
        ds = ""
    ds = tags.to_str(ds)  # cuts to 255 characters (quirk 2 fixed)
    t1 = window.Math.trunc(item.t1)
    t2 = window.Math.trunc(item.t2)
    if t2 < t1:
        t1, t2 = t2, t1
    clean = {
        "key": item.key,
        "t1": t1,
        "t2": t2,
        "ds": ds,
        "mt": window.Math.trunc(item.mt),
        "st": st,
    }
    return [clean, ""]


def validate_setting(item):
    """``[clean copy, ""]`` or ``[None, reason]``."""
    if not isinstance(item, dict):
        return [None, "not an object"]
    for name in SETTING_REQUIRED:
        if item[name] is undefined:
            return [None, "missing " + name]
    if not isinstance(item.key, str) or not item.key:
        return [None, "key must be a non-empty string"]
    if len(item.key) >= STR_LIMIT:
        return [None, "key too long"]
    if not _is_number(item.mt):
        return [None, "mt must be a number"]
    st = item.st
    if st is undefined or st is None:
        st = 0
    if not _is_number(st):
        return [None, "st must be a number"]
    try:
        text = window.JSON.stringify(item.value)
    except Exception:
        text = None
    if not isinstance(text, str):
        return [None, "value is not JSON"]
    value = window.JSON.parse(text)
    if len(text) >= JSON_LIMIT or json_size(value) >= JSON_LIMIT:
        return [None, "value too large"]
    clean = {
        "key": item.key,
        "value": value,
        "mt": window.Math.trunc(item.mt),
        "st": st,
    }
    return [clean, ""]


def json_size(value):
    """The length of ``value`` as the server encodes it (Python's ``json.dumps``:
    ``", "`` and ``": "`` separators, non-ASCII as ``\\uXXXX``), which is what its
    limit applies to (TS-52). ``value`` is plain JSON data."""
    if value is None:
        return 4
    if value is True:
        return 4
    if value is False:
        return 5
    if isinstance(value, str):
        n = 2
        for i in range(len(value)):
            code = value.charCodeAt(i)
            if code == 34 or code == 92 or code == 8 or code == 9 or code == 10:
                n += 2
            elif code == 12 or code == 13:
                n += 2
            elif code < 32 or code > 126:
                n += 6
            else:
                n += 1
        return n
    if isinstance(value, list):
        n = 2 + 2 * window.Math.max(0, len(value) - 1)
        for x in value:
            n += json_size(x)
        return n
    if isinstance(value, dict):
        keys = window.Object.keys(value)
        n = 2 + 2 * window.Math.max(0, len(keys) - 1)
        for key in keys:
            n += json_size(key) + 2 + json_size(value[key])
        return n
    # numbers: the server parses what JS wrote, and writes it back the same way
    return len(window.JSON.stringify(value))


# %% Item stores


class ItemStore:
    """Items by key, the push queue, and the set of items not synced yet."""

    kind = ""

    def __init__(self, datastore):
        self._datastore = datastore
        self._items = window.Map()
        self._queue = window.Map()  # key -> latest local version, to push (SY-03)
        self._unsynced = window.Map()  # key -> local version not back from the server
        self._dropped = (
            window.Set()
        )  # keys the server refused (not to be kept anywhere)

    def _validate(self, item):
        raise NotImplementedError()

    def _copy(self, item):
        raise NotImplementedError()

    def _set(self, item):
        self._items.set(item.key, item)

    def _remove(self, key):
        self._items.delete(key)

    def clear(self):
        """Forget everything (full reset)."""
        self._items.clear()
        self._queue.clear()
        self._unsynced.clear()
        self._forget_all()

    def _forget_all(self):
        pass

    def count(self):
        """Number of items, hidden ones included."""
        return self._items.size

    def get_by_key(self, key):
        item = self._items["get"](key)
        if item is undefined:
            return None
        return self._copy(item)

    def put(self, *items):
        """The local edit pipeline (RC-21, SY-02). Stamps each given item with
        ``st = 0`` and ``mt = now`` (in place, as callers keep editing it). Returns the
        number of items accepted."""
        now = window.Math.floor(_now())
        accepted = []
        for item in items:
            if isinstance(item, dict):
                item.st = 0
                item.mt = now
            clean, error = self._validate(item)
            if error:
                window.console.warn("dropped a " + self.kind[:-1] + ": " + error)
                continue
            if isinstance(item, dict) and item.t1 is not undefined:
                item.t1 = clean.t1
                item.t2 = clean.t2
            current = self._items["get"](clean.key)
            if current is not undefined and not is_newer(clean, current):
                window.console.info("ignored an outdated edit of " + clean.key)
                continue
            accepted.push(clean)
        if len(accepted) == 0:
            return 0
        for clean in accepted:
            self._queue.set(clean.key, clean)
            self._unsynced.set(clean.key, clean)
        self._datastore._persist_unsynced()  # before anything else
        for clean in accepted:
            self._set(clean)
        self._datastore._after_local_put(self.kind, accepted)
        return len(accepted)

    def _put_received(self, items):
        """Apply items from the server or the cache through the conflict rule,
        without queueing them. Returns the accepted (clean) items."""
        accepted = []
        for item in items or []:
            clean, error = self._validate(item)
            if error:
                window.console.warn(
                    "ignored a received " + self.kind[:-1] + ": " + error
                )
                continue
            current = self._items["get"](clean.key)
            if current is not undefined and not is_newer(clean, current):
                continue
            self._set(clean)
            if clean.st > 0 and not self._queue.has(clean.key):
                self._unsynced.delete(clean.key)
            accepted.push(clean)
        return accepted

    def _requeue_unsynced(self, items):
        """Queue the given items again when they are local edits (``st == 0``)."""
        n = 0
        for item in items:
            if item.st == 0 and self._items["get"](item.key) is item:
                self._queue.set(item.key, item)
                self._unsynced.set(item.key, item)
                n += 1
        return n

    def _take_queue(self):
        """Empty the push queue, returning copies of what it held."""
        items = [self._copy(item) for item in _list(self._queue.values())]
        self._queue.clear()
        return items

    def _restore_queue(self, items):
        """Put items of a failed push back, unless a newer edit is queued."""
        for item in items:
            if not self._queue.has(item.key):
                current = self._items["get"](item.key)
                if current is not undefined and current.st == 0:
                    self._queue.set(item.key, current)

    def _drop(self, key):
        """Forget an item the server refused (its own version, if any, comes back
        with the next pull). A newer queued edit of the key is kept."""
        if self._queue.has(key):
            return False
        self._remove(key)
        self._unsynced.delete(key)
        self._dropped.add(key)
        return True

    def unsynced_items(self):
        """Copies of the local edits not confirmed by the server yet."""
        return [self._copy(item) for item in _list(self._unsynced.values())]

    def unsynced_with(self, others):
        """Our unsynced items, plus the items of ``others`` (from the copy another tab
        of the same user wrote) that this store has not seen confirmed by the server,
        with the same or a later ``mt``, nor seen refused."""
        result = self.unsynced_items()
        for item in others or []:
            if not isinstance(item, dict) or not isinstance(item.key, str):
                continue
            if self._unsynced.has(item.key) or self._dropped.has(item.key):
                continue
            current = self._items["get"](item.key)
            if current is not undefined and current.st > 0 and current.mt >= item.mt:
                continue
            result.push(item)
        return result

    def queue_size(self):
        return self._queue.size


class RecordStore(ItemStore):
    """Records by key, with a range/stats index (RC-01, SY-21). Hidden records are
    kept (they sync) but left out of every query."""

    kind = "records"

    def __init__(self, datastore):
        super().__init__(datastore)
        self._index = recordindex.RecordIndex()
        self._running = window.Map()

    def _validate(self, item):
        clean, error = validate_record(item)
        if clean is not None:
            clean._z = tagz_of(clean.ds)
        return [clean, error]

    def _copy(self, r):
        return {
            "key": r.key,
            "t1": r.t1,
            "t2": r.t2,
            "ds": r.ds,
            "mt": r.mt,
            "st": r.st,
        }

    def _set(self, record):
        old = self._items["get"](record.key)
        if old is not undefined:
            self._unindex(old)
        self._items.set(record.key, record)
        self._add_to_index(record)

    def _remove(self, key):
        old = self._items["get"](key)
        if old is not undefined:
            self._unindex(old)
            self._items.delete(key)

    def _add_to_index(self, r):
        if is_hidden(r):
            return
        if r.t1 == r.t2:
            self._running.set(r.key, r)
        else:
            self._index.add(r, r._z)

    def _unindex(self, r):
        if is_hidden(r):
            return
        if r.t1 == r.t2:
            if self._running.get(r.key) is r:
                self._running.delete(r.key)
        else:
            self._index.remove(r, r._z)

    def _forget_all(self):
        self._index.clear()
        self._running.clear()

    def create(self, t1, t2, ds=""):
        """A new record (not stored yet: ``put`` it)."""
        t1 = window.Math.trunc(t1)
        t2 = window.Math.trunc(t2)
        return {
            "key": new_key(),
            "t1": window.Math.min(t1, t2),
            "t2": window.Math.max(t1, t2),
            "ds": tags.to_str(ds),
            "mt": window.Math.floor(_now()),
            "st": 0,
        }

    def mark_as_deleted(self, record):
        """Mark a record deleted (RC-17) on the given dict; then ``put`` it. A running
        record stops being running (1 s long)."""
        ds = record.ds or ""
        while ds.startsWith("HIDDEN"):
            ds = ds[6:].lstrip()
        record.ds = ("HIDDEN " + ds).rstrip()
        if record.t1 == record.t2:
            record.t2 = record.t1 + 1
        return record

    def get_records(self, t1, t2):
        """Copies of the visible records overlapping the window: ``r.t1 < t2 and
        r.t2 > t1``; running ones when they started before ``t2`` and run into it."""
        result = [self._copy(r) for r in self._index.records_in(t1, t2)]
        now = _now()
        for r in _list(self._running.values()):
            if r.t1 < t2 and (now > t1 or r.t1 >= t1):
                result.push(self._copy(r))
        return result

    def get_stats(self, t1, t2):
        """``{tagz: seconds}`` inside the window; running records count up to now."""
        stats = {}
        self._index.stats_in(t1, t2, stats, lambda r: r._z)
        Math = window.Math
        now = _now()
        for r in _list(self._running.values()):
            d = Math.min(t2, now) - Math.max(t1, r.t1)
            if d > 0:
                stats[r._z] = (stats[r._z] or 0) + d
        return stats

    def get_running_records(self):
        return [self._copy(r) for r in _list(self._running.values())]

    def get_all_records(self, include_hidden=False):
        result = []
        for r in _list(self._items.values()):
            if include_hidden or not is_hidden(r):
                result.push(self._copy(r))
        return result

    def is_synced(self, key):
        """False while a local edit of the record is not confirmed by the server."""
        return not self._unsynced.has(key)


class SettingStore(ItemStore):
    """Synced setting items ``{key, value, mt, st}`` (ST-00)."""

    kind = "settings"

    def _validate(self, item):
        return validate_setting(item)

    def _copy(self, s):
        value = s.value
        if isinstance(value, dict) or isinstance(value, list):
            value = window.JSON.parse(window.JSON.stringify(value))
        return {"key": s.key, "value": value, "mt": s.mt, "st": s.st}

    def create(self, key, value):
        return {"key": key, "value": value, "mt": window.Math.floor(_now()), "st": 0}

    def get_all_items(self):
        """The stored items themselves (read only!), for the settings API."""
        return _list(self._items.values())
