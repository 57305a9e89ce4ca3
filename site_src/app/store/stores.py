"""The data stores: records and settings in memory, and their sync with the API.

``ConnectedDataStore`` (the app), ``DemoDataStore`` and ``SandboxDataStore`` share the
``DataStore`` base (SY-01): ``store.records`` (a ``RecordStore`` with a range index,
RC-01, SY-21) and ``store.settings`` (a ``SettingStore``), the sync state for the
indicator (SY-14) and ``on_change`` callbacks. See docs/client.md for the contract.

The edit pipeline (RC-21, SY-02): a local put stamps ``st = 0`` and ``mt = now``,
validates, drops an edit older than what is stored (the conflict rule SY-09), queues
the item for push (repeated edits of one key collapse, SY-03), and, before anything
else, writes the not-yet-synced items to localStorage (synchronous, so a record put
just before the tab closes survives); then the item goes to memory and the index, to
the IndexedDB cache, and a sync is scheduled in 1.5 s.

The sync cycle of the connected store (SY-04..SY-08): push settings, push records,
pull ``updates?since=<server_time>``, apply what came through the conflict rule,
cache it. ``reset`` from the server empties everything first (SY-11). A 401 makes the
store unusable, and ``revoked`` leads to the logout page (SY-15). Polling every 10 s
while the page is visible, 1 s after a visibility change, and on ``pagehide`` or
hiding, a last push of the unsynced items with ``fetch(keepalive)``. On start the
cache is loaded and every unsynced item is queued again (SY-12).

Demo and sandbox emulate the sync (DM-03, DM-05): nothing leaves the page.
"""

from pscript import window

from ..core import dt, env, events, settings
from . import auth, demodata, idb, itemstores

FIRST_SYNC_DELAY = 1.0
LOCAL_CHANGE_DELAY = 1.5
VISIBILITY_DELAY = 1.0
POLL_INTERVAL = 10.0
KEEPALIVE_BUDGET = 60000  # bytes of keepalive bodies in flight (browsers allow 64 KiB)
UNSYNCED_PREFIX = "timetagger_unsynced:"
CACHE_LOAD_TIMEOUT = 5.0


def _wall():
    """The real clock, for scheduling (a pinned app clock must not stop syncing)."""
    return window.Date.now() / 1000


def _sleep(seconds):
    return window.Promise(lambda resolve: window.setTimeout(resolve, seconds * 1000))


def _now():
    return dt.now()


# The item stores and rules, also reachable from here.
RecordStore = itemstores.RecordStore
SettingStore = itemstores.SettingStore
is_newer = itemstores.is_newer
is_hidden = itemstores.is_hidden
new_key = itemstores.new_key


# %% Data stores


class DataStore:
    """What every store has: records, settings, sync state, change callbacks."""

    kind = ""

    def __init__(self):
        self.records = RecordStore(self)
        self.settings = SettingStore(self)
        self.state = ""
        self.last_error = ""
        self.is_read_only = False
        self.username = ""
        self.cannot_use_reason = ""
        self.put_count = 0
        self.notices = []  # {kind, message} of server notices (SY-06), newest last
        self._changes = events.Emitter("store")
        self._timer = None
        self._scheduled_at = 0
        self._due = 0
        self._idle_timer = None
        self._running_sync = None
        self._sync_again = False
        self._closed = False
        self._listeners = []

    def _start(self):
        """Called at the end of a subclass's __init__."""
        settings.use_store(self)
        self._listen_to_page()
        self.sync_soon(FIRST_SYNC_DELAY)

    # Callbacks and state

    def on_change(self, callback):
        """``callback(what)`` after local puts and received data; ``what`` is
        "records", "settings", "state" or "notice". Returns an unsubscribe function."""
        return self._changes.subscribe(callback)

    def _notify(self, what):
        self._changes.emit(what)

    def _set_state(self, state):
        if self.state != state:
            self.state = state
            self._notify("state")

    def can_use(self):
        return True

    # Scheduling (SY-04)

    def sync_progress(self):
        """Fraction (0..1) of the wait until the scheduled sync (indicator ring)."""
        if self._timer is None or self._due <= self._scheduled_at:
            return 0
        f = (_wall() - self._scheduled_at) / (self._due - self._scheduled_at)
        return window.Math.max(0, window.Math.min(1, f))

    def sync_soon(self, delay=0.2):
        """(Re)schedule the next sync ``delay`` seconds from now."""
        if self._closed:
            return
        if self._timer is not None:
            window.clearTimeout(self._timer)
        self._scheduled_at = _wall()
        self._due = self._scheduled_at + delay
        self._timer = window.setTimeout(self._on_timer, delay * 1000)

    def _on_timer(self):
        self._timer = None
        self.sync().catch(lambda err: window.console.error("sync failed:", err))

    async def sync(self):
        """Run a sync cycle now (or wait for the one in progress and run another)."""
        if self._closed:
            return
        if self._running_sync is not None:
            self._sync_again = True
            await self._running_sync
            return
        if self._timer is not None:
            window.clearTimeout(self._timer)
            self._timer = None
        self._running_sync = self._run_sync()
        try:
            await self._running_sync
        finally:
            self._running_sync = None
        if self._sync_again and not self._closed:
            self._sync_again = False
            self.sync_soon(0.2)

    async def _run_sync(self):
        if self._idle_timer is not None:
            window.clearTimeout(self._idle_timer)
            self._idle_timer = None
        self._set_state("sync")
        try:
            await self._sync_cycle()
        except Exception as err:
            window.console.error("sync error:", err)
            self.last_error = "sync failed: " + str(err)
            self._set_state("error")
        self._after_sync()

    async def _sync_cycle(self):
        raise NotImplementedError()

    def _after_sync(self):
        if self._closed:
            return
        if self._timer is None and not self._sync_again and self._should_poll():
            self.sync_soon(POLL_INTERVAL)
        state = self.state
        delay = 0
        if state == "sync":
            delay = 0.25
        elif state == "ok" or state == "warning" or state == "pending":
            delay = 0.75
        if delay:

            def back_to_idle():
                self._idle_timer = None
                if self.state == state:
                    self._set_state("")

            self._idle_timer = window.setTimeout(back_to_idle, delay * 1000)

    def _should_poll(self):
        doc = window.document
        if doc and doc.visibilityState == "hidden":
            return False
        return self.can_use()

    # Page events

    def _listen_to_page(self):
        doc = window.document
        if not doc or not doc.addEventListener:
            return

        def on_visibility():
            if doc.visibilityState == "hidden":
                self._on_hide()
            self.sync_soon(VISIBILITY_DELAY)

        def on_pagehide():
            self._on_hide()

        doc.addEventListener("visibilitychange", on_visibility)
        window.addEventListener("pagehide", on_pagehide)
        self._listeners.push([doc, "visibilitychange", on_visibility])
        self._listeners.push([window, "pagehide", on_pagehide])

    def _on_hide(self):
        pass

    def close(self):
        """Stop timers and listeners (a page that replaces its store, and tests)."""
        self._closed = True
        for t in [self._timer, self._idle_timer]:
            if t is not None:
                window.clearTimeout(t)
        self._timer = None
        self._idle_timer = None
        for target, name, func in self._listeners:
            target.removeEventListener(name, func)
        self._listeners = []

    # Local changes

    def _after_local_put(self, kind, items):
        if kind == "records":
            self.put_count += len(items)
        self._cache_local(kind, items)
        if self.state != "sync":
            self._set_state("pending")
        self._notify(kind)
        self.sync_soon(LOCAL_CHANGE_DELAY)

    def _cache_local(self, kind, items):
        pass

    def _persist_unsynced(self):
        pass

    def reset(self):
        """Empty both stores (full reset)."""
        self.records.clear()
        self.settings.clear()
        self._notify("settings")
        self._notify("records")


class ConnectedDataStore(DataStore):
    """The store of the app page: synced with the API, cached in IndexedDB."""

    kind = "connected"

    def __init__(self, cache=None):
        super().__init__()
        info = auth.get_auth_info()
        self.username = info.username if info else ""
        # (not `cache or ...`: PScript's `or` gives true for a class instance)
        self._cache = cache if cache is not None else idb.default_cache()
        self._server_time = 0
        self._usable = bool(self.username)
        self._refused_token = None
        self._auth_checked_at = 0
        self.cannot_use_reason = "" if self.username else "You are logged out."
        self.pull_statuses = []  # the last 5 HTTP statuses of the pull (SY-07)
        self._shown_notices = {}
        if self.username:
            self._loading = self._load_cache()
        else:
            self._loading = window.Promise.resolve(None)
        if self.username and window.document:
            auth.start_renewal()  # on load and hourly (PG-11); not in node tests
        self._start()

    # Authentication (PG-11, SY-15)

    def can_use(self):
        """False when logged out, logged in as someone else since, or refused."""
        now = _wall()
        if now - self._auth_checked_at >= 1:
            self._auth_checked_at = now
            self._check_auth()
        return self._usable

    def _check_auth(self):
        info = auth.get_auth_info()
        if not self.username or info is None:
            self._usable = False
            self.cannot_use_reason = "You are logged out."
        elif info.username != self.username:
            self._usable = False
            self.cannot_use_reason = (
                "Logged in as " + info.username + " in another tab: reload this page."
            )
        elif self._refused_token is not None and info.token == self._refused_token:
            self._usable = False
        else:
            self._usable = True
            self.cannot_use_reason = ""

    def _token(self):
        info = auth.get_auth_info()
        return info.token if info else ""

    def _handle_unauthorized(self, text):
        self._refused_token = self._token()
        self._usable = False
        self._auth_checked_at = _wall()
        self.cannot_use_reason = text or "Not authenticated."
        self._notify("state")
        if "revoked" in (text or ""):
            # Possibly a stolen device: the logout page drops the local data.
            auth.go_to_logout()

    # The local cache (SY-12)

    async def _load_cache(self):
        try:
            # A blocked IndexedDB must not stop the app from syncing.
            timer = {"handle": None}

            def give_up(resolve):
                timer.handle = window.setTimeout(
                    lambda: resolve("timeout"), CACHE_LOAD_TIMEOUT * 1000
                )

            loading = self._cache.load(self.username)
            data = await window.Promise.race([loading, window.Promise(give_up)])
            window.clearTimeout(timer.handle)
            if data == "timeout":
                window.console.warn("the cache did not answer in time")
                data = None
        except Exception as err:
            window.console.warn("could not read the cache:", err)
            data = None
        got_settings = []
        got_records = []
        if data:
            if not self._server_time:
                self._server_time = data.server_time or 0
            got_settings = self.settings._put_received(data.settings)
            got_records = self.records._put_received(data.records)
        # The synchronous copy of the local edits may be newer than IndexedDB.
        copy = self._read_unsynced_copy()
        got_settings = got_settings.concat(self.settings._put_received(copy.settings))
        got_records = got_records.concat(self.records._put_received(copy.records))
        n = self.settings._requeue_unsynced(got_settings)
        n += self.records._requeue_unsynced(got_records)
        self._persist_unsynced()
        if n:
            self._set_state("pending")
        if len(got_settings):
            self._notify("settings")
        if len(got_records):
            self._notify("records")

    def _unsynced_key(self):
        return UNSYNCED_PREFIX + self.username

    def _read_unsynced_copy(self):
        try:
            text = window.localStorage.getItem(self._unsynced_key())
            data = window.JSON.parse(text) if text else None
        except Exception:
            data = None
        if not isinstance(data, dict):
            data = {}
        return {"records": data.records or [], "settings": data.settings or []}

    def _persist_unsynced(self):
        if not self.username:
            return
        # Other tabs of this user write the same copy: keep what they still need.
        others = self._read_unsynced_copy()
        records = self.records.unsynced_with(others.records)
        setting_items = self.settings.unsynced_with(others.settings)
        try:
            if len(records) == 0 and len(setting_items) == 0:
                window.localStorage.removeItem(self._unsynced_key())
            else:
                text = window.JSON.stringify(
                    {"records": records, "settings": setting_items}
                )
                window.localStorage.setItem(self._unsynced_key(), text)
        except Exception as err:
            window.console.warn("could not save unsynced edits:", err)

    def _cache_local(self, kind, items):
        if not self.username:
            return
        copies = [self[kind]._copy(item) for item in items]
        if kind == "records":
            promise = self._cache.save(self.username, copies, [])
        else:
            promise = self._cache.save(self.username, [], copies)
        promise.catch(lambda err: window.console.warn("could not cache:", err))

    # The sync cycle (SY-08)

    async def _sync_cycle(self):
        if not self.can_use():
            self.last_error = self.cannot_use_reason or "Not authenticated."
            self._set_state("error")
            return
        await self._loading
        token = self._token()
        if not await self._push("settings", token):
            return
        if not await self._push("records", token):
            return
        await self._pull(token)

    async def _push(self, kind, token):
        store = self[kind]
        items = store._take_queue()
        if len(items) == 0:
            return True
        r = await auth.api_request("PUT", kind, window.JSON.stringify(items), token)
        if r.status == 200:
            try:
                answer = window.JSON.parse(r.text)
            except Exception:
                answer = None
            if not isinstance(answer, dict):
                store._restore_queue(items)
                self.last_error = (
                    "The server answered a push with something unexpected."
                )
                self._set_state("error")
                return False
            dropped = []
            for key in answer.failed or []:
                if store._drop(key):
                    dropped.push(key)
            if len(dropped):
                self._cache.remove(self.username, kind, dropped).catch(
                    lambda err: window.console.warn("could not uncache:", err)
                )
                self._persist_unsynced()
                self._notify(kind)
            for message in answer.errors or []:
                self.last_error = "server dropped a " + kind[:-1] + ": " + message
                self._set_state("warning")
            return True
        store._restore_queue(items)
        if r.status == 401:
            self._handle_unauthorized(r.text)
        if r.status == 402:
            self._handle_notice(r.text)
        else:
            self.last_error = auth.http_error_text(r.status, r.status_text, r.text)
        self._set_state("error")
        return False

    def _handle_notice(self, text):
        """A 402 answer: a notice for the user, ``<kind>|<message>`` (SY-06)."""
        kind = ""
        message = text or ""
        i = message.indexOf("|")
        if 0 < i < 16:
            kind = message[:i]
            message = message[i + 1 :]
        self.last_error = "402 (" + (kind or "Payment Required") + ")\n" + message
        if kind.toLowerCase() == "readonly" and not self.is_read_only:
            self.is_read_only = True
            self._notify("state")
        if not self._shown_notices[message]:
            self._shown_notices[message] = True
            self.notices.push({"kind": kind, "message": message})
            self._notify("notice")

    async def _pull(self, token):
        since = self._server_time
        r = await auth.api_request("GET", "updates?since=" + since, None, token)
        self.pull_statuses.push(r.status)
        if len(self.pull_statuses) > 5:
            self.pull_statuses.shift()
        if r.status == 401:
            self._handle_unauthorized(r.text)
            self.last_error = auth.http_error_text(r.status, r.status_text, r.text)
            self._set_state("error")
            return
        if r.status != 200:
            self.last_error = auth.http_error_text(r.status, r.status_text, r.text)
            self._set_state("error")
            return
        try:
            answer = window.JSON.parse(r.text)
        except Exception:
            answer = None
        if not isinstance(answer, dict) or not answer.server_time:
            return
        if answer.reset:
            await self._full_reset()
        self._server_time = answer.server_time
        received = len(answer.settings or []) + len(answer.records or [])
        try:
            got_settings = self.settings._put_received(answer.settings)
            got_records = self.records._put_received(answer.records)
        except Exception as err:
            self.last_error = "could not apply what the server sent: " + str(err)
            self._set_state("warning")
            if window.alert:
                window.alert("Out of sync: " + self.last_error + ". Please reload.")
            return
        try:
            await self._cache.save(
                self.username,
                [self.records._copy(x) for x in got_records],
                [self.settings._copy(x) for x in got_settings],
                self._server_time,
            )
        except Exception as err:
            window.console.warn("could not cache:", err)
        if len(got_settings) or len(got_records) or answer.reset:
            self._persist_unsynced()
        if received and self.state != "warning":
            self._set_state("ok")
        if len(got_settings) or answer.reset:
            self._notify("settings")
        if len(got_records) or answer.reset:
            self._notify("records")

    async def _full_reset(self):
        """The server says: drop everything, a full set follows (SY-11). Edits made
        while the pull was on its way (still queued) are kept: the server judges them
        at the next push (it refuses those from before its reset time)."""
        kept_settings = self.settings._take_queue()
        kept_records = self.records._take_queue()
        self.records.clear()
        self.settings.clear()
        self.settings._requeue_unsynced(self.settings._put_received(kept_settings))
        self.records._requeue_unsynced(self.records._put_received(kept_records))
        self._server_time = 0
        self._persist_unsynced()
        try:
            await self._cache.clear_user(self.username)
            await self._cache.save(self.username, kept_records, kept_settings)
        except Exception as err:
            window.console.warn("could not clear the cache:", err)

    # The last push (beyond the original: its issue #439)

    def _on_hide(self):
        """The page is hidden or going away: push the unsynced edits one last time
        with ``keepalive`` so the request outlives the page. Whatever does not make it
        is still in localStorage and IndexedDB, and is pushed on the next start."""
        if self._closed or not self.can_use():
            return
        token = self._token()
        budget = KEEPALIVE_BUDGET
        for kind in ["settings", "records"]:
            items = self[kind].unsynced_items()
            chosen = []
            size = 2
            for item in items:
                n = len(window.JSON.stringify(item)) + 1
                if size + n > budget:
                    break
                chosen.push(item)
                size += n
            if len(chosen) == 0:
                continue
            budget -= size
            try:
                window.fetch(
                    env.api_url(kind),
                    {
                        "method": "PUT",
                        "keepalive": True,
                        "headers": {"authtoken": token},
                        "body": window.JSON.stringify(chosen),
                    },
                ).catch(lambda err: None)
            except Exception as err:
                window.console.warn("last push failed:", err)


class LocalDataStore(DataStore):
    """A store that never leaves the page: the sync is emulated (DM-03, DM-05)."""

    async def _sync_cycle(self):
        await _sleep(0.2)
        st = _now()
        got = False
        for kind in ["settings", "records"]:
            store = self[kind]
            items = store._take_queue()
            for item in items:
                item.st = st
            accepted = store._put_received(items)
            if len(accepted):
                got = True
                self._notify(kind)
        if await self._emulated_extra():
            got = True
        if got:
            self._set_state("ok")

    async def _emulated_extra(self):
        return False

    def _received(self, kind, items):
        accepted = self[kind]._put_received(items)
        if len(accepted):
            self._notify(kind)
        return accepted


class SandboxDataStore(LocalDataStore):
    """Empty, nothing saved (DM-05)."""

    kind = "sandbox"

    def __init__(self):
        super().__init__()
        self._start()


class DemoDataStore(LocalDataStore):
    """Generated records of several years (DM-02): the current year at once, the
    earlier ones during the first emulated sync, newest first."""

    kind = "demo"

    def __init__(self):
        super().__init__()
        now = _now()
        self._years_left = demodata.earlier_years(now)
        items = []
        for tagz, color in demodata.TAG_COLORS:
            items.push(
                {
                    "key": "taginfo " + tagz,
                    "value": {"color": color, "priority": 0, "targets": {}},
                    "mt": window.Math.floor(now),
                    "st": now,
                }
            )
        self._received("settings", items)
        self._add_generated(demodata.generate_current_year(now), now)
        self._start()

    def _add_generated(self, triples, now):
        mt = window.Math.floor(now)
        records = [
            {"key": new_key(), "t1": t[0], "t2": t[1], "ds": t[2], "mt": mt, "st": now}
            for t in triples
        ]
        return self._received("records", records)

    async def _emulated_extra(self):
        if len(self._years_left) == 0:
            return False
        now = _now()
        while len(self._years_left):
            year = self._years_left.shift()
            self._add_generated(demodata.generate_year(year, now), now)
        return True

    def generate_all_years(self):
        """Generate the remaining years now (tests; the first sync does it too)."""
        now = _now()
        while len(self._years_left):
            year = self._years_left.shift()
            self._add_generated(demodata.generate_year(year, now), now)
