"""The local cache of each user's records and settings, in IndexedDB (SY-12).

Better than one big dump per user rewritten after every change (the original): every
item is its own IndexedDB entry, so a local edit or a pull writes only what changed,
also with 100,000 records. Database ``timetagger``, version 1:

* ``items``: ``{id: "<user>\\n<kind>\\n<key>", kind, item}`` (kind ``records`` or
  ``settings``);
* ``meta``: ``{user, server_time}``, written in the same transaction as the items of
  a pull, so the cache never claims data it does not hold.

``ItemCache`` is what the connected store uses. ``MemoryCache`` has the same methods
(for tests, and as a stand-in); ``NullCache`` keeps nothing (no IndexedDB available).
``clear_all()`` empties everything (logout, PG-09).
"""

from pscript import window

DB_NAME = "timetagger"
DB_VERSION = 1
SEP = "\n"

_state = {"db": None}


def _request_promise(request):
    def executor(resolve, reject):
        request.onsuccess = lambda: resolve(request.result)
        request.onerror = lambda: reject(request.error)

    return window.Promise(executor)


def _transaction_promise(tx):
    def executor(resolve, reject):
        tx.oncomplete = lambda: resolve(True)
        tx.onerror = lambda: reject(tx.error)
        tx.onabort = lambda: reject(
            tx.error if tx.error is not None else "transaction aborted"
        )

    return window.Promise(executor)


def is_available():
    try:
        return bool(window.indexedDB)
    except Exception:
        return False


def open_db():
    """A promise of the open database (opened once per page)."""
    if _state.db is not None:
        return _state.db

    def executor(resolve, reject):
        request = window.indexedDB.open(DB_NAME, DB_VERSION)

        def upgrade():
            db = request.result
            for name in ["items", "meta"]:
                if db.objectStoreNames.contains(name):
                    db.deleteObjectStore(name)
            db.createObjectStore("items", {"keyPath": "id"})
            db.createObjectStore("meta", {"keyPath": "user"})

        def success():
            db = request.result

            # Another tab upgrading the database: let it, reopen on next use.
            def versionchange():
                db.close()
                _forget_db()

            db.onversionchange = versionchange
            resolve(db)

        def failure():
            _forget_db()
            reject(request.error)

        request.onupgradeneeded = upgrade
        request.onsuccess = success
        request.onerror = failure
        request.onblocked = lambda: window.console.warn("IndexedDB open is blocked")

    _state.db = window.Promise(executor)
    return _state.db


def _forget_db():
    _state.db = None


def _user_range(user):
    return window.IDBKeyRange.bound(user + SEP, user + SEP + "\uffff")


class ItemCache:
    """The IndexedDB cache of one browser, all users."""

    async def load(self, user):
        """``{server_time, records: [...], settings: [...]}`` of a user, or None."""
        db = await open_db()
        tx = db.transaction(["items", "meta"], "readonly")
        # Both requests are made before awaiting: the transaction stays active.
        meta_request = _request_promise(tx.objectStore("meta").get(user))
        items_request = _request_promise(
            tx.objectStore("items").getAll(_user_range(user))
        )
        meta = await meta_request
        entries = await items_request
        if not meta and len(entries) == 0:
            return None
        result = {"server_time": 0, "records": [], "settings": []}
        if meta:
            result.server_time = meta.server_time or 0
        for entry in entries:
            if entry.kind == "records":
                result.records.push(entry.item)
            elif entry.kind == "settings":
                result.settings.push(entry.item)
        return result

    async def save(self, user, records, settings, server_time=None):
        """Write items (and the server time, when given) in one transaction."""
        db = await open_db()
        tx = db.transaction(["items", "meta"], "readwrite")
        items = tx.objectStore("items")
        for kind, list_ in [["records", records], ["settings", settings]]:
            for item in list_ or []:
                items.put(
                    {
                        "id": user + SEP + kind + SEP + item.key,
                        "kind": kind,
                        "item": item,
                    }
                )
        if server_time is not None:
            tx.objectStore("meta").put({"user": user, "server_time": server_time})
        await _transaction_promise(tx)

    async def remove(self, user, kind, keys):
        """Forget items (e.g. ones the server refused)."""
        db = await open_db()
        tx = db.transaction(["items"], "readwrite")
        items = tx.objectStore("items")
        for key in keys:
            items.delete(user + SEP + kind + SEP + key)
        await _transaction_promise(tx)

    async def clear_user(self, user):
        """Forget everything of one user (full reset, SY-11)."""
        db = await open_db()
        tx = db.transaction(["items", "meta"], "readwrite")
        tx.objectStore("items").delete(_user_range(user))
        tx.objectStore("meta").delete(user)
        await _transaction_promise(tx)


class MemoryCache:
    """The same interface, kept in memory (tests; survives a store, not a page)."""

    def __init__(self):
        self.users = {}
        self.writes = 0

    def _user(self, user):
        if not self.users[user]:
            self.users[user] = {
                "server_time": 0,
                "records": {},
                "settings": {},
                "meta": False,
            }
        return self.users[user]

    async def load(self, user):
        data = self.users[user]
        if not data:
            return None
        copy = window.JSON.parse
        return {
            "server_time": data.server_time,
            "records": [copy(window.JSON.stringify(r)) for r in data.records.values()],
            "settings": [
                copy(window.JSON.stringify(s)) for s in data.settings.values()
            ],
        }

    async def save(self, user, records, settings, server_time=None):
        data = self._user(user)
        for item in records or []:
            data.records[item.key] = window.JSON.parse(window.JSON.stringify(item))
        for item in settings or []:
            data.settings[item.key] = window.JSON.parse(window.JSON.stringify(item))
        if server_time is not None:
            data.server_time = server_time
        self.writes += 1

    async def remove(self, user, kind, keys):
        data = self._user(user)
        for key in keys:
            data[kind].pop(key, None)

    async def clear_user(self, user):
        self.users.pop(user, None)


class NullCache:
    """No cache at all (no IndexedDB in this browser)."""

    async def load(self, user):
        return None

    async def save(self, user, records, settings, server_time=None):
        pass

    async def remove(self, user, kind, keys):
        pass

    async def clear_user(self, user):
        pass


def default_cache():
    return ItemCache() if is_available() else NullCache()


async def clear_all():
    """Empty the whole cache (every user): logout (PG-09)."""
    if not is_available():
        return
    db = await open_db()
    tx = db.transaction(["items", "meta"], "readwrite")
    tx.objectStore("items").clear()
    tx.objectStore("meta").clear()
    await _transaction_promise(tx)
