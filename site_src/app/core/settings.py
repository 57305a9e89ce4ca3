"""The settings API (ST-00): one ``get``/``set`` for device and synced settings.

* Device (local) settings live in ``localStorage["timetagger_local_settings"]`` as one
  JSON object (ST-09..ST-17).
* Synced (user) settings are setting items of the page's store (ST-01..ST-08, plus
  ``tag_presets``, ``taginfo <tagz>`` and any other key): they sync with the API and
  follow the user across devices. In demo and sandbox they live in that page's store.
* Reading order: default, then the value from the other kind of storage (migration
  aid), then the value from the proper storage. Writing takes effect at once.
* The store calls ``use_store(store)`` when it is created (SY-22); synced values are
  re-read whenever the store's settings change (local put, pull, cache load, reset),
  so changes from other devices apply without a reload. ``on_change(callback)`` calls
  ``callback(key)`` for every key whose value changed.

Values that are lists or objects are returned as copies: changing them changes nothing.
"""

from pscript import window

from . import events

LOCAL_STORAGE_KEY = "timetagger_local_settings"

# ST-01..ST-08, ST-18: synced with the user's account.
SYNCED_DEFAULTS = {
    "first_day_of_week": 1,
    "workdays": 0,
    "date_repr": "dd-mm-yyyy",
    "time_repr": "auto",
    "duration_repr": "hms",
    "today_snap_offset": "",
    "today_end_offset": "",
    "show_stopwatch": True,
    "tag_presets": [],
    "currency": "",  # shown after the report's amounts (hourly rates: taginfo)
    "work_week": [],  # the working weekdays (0 = Sunday); empty: follow workdays
    "days_off": [],  # "YYYY-MM-DD" texts: days that lower the targets (core/targets)
}

# ST-09..ST-17: this device only. Quirk 4 fixed: report_grouping defaults to "none".
LOCAL_DEFAULTS = {
    "darkmode": 1,
    "width_mode": "auto",
    "notifications": False,
    "pomodoro_enabled": False,
    "report_grouping": "none",
    "report_groupperiod": "none",
    "report_hidesecondary": False,
    "report_format": "hm",
    "report_showrecords": True,
}


def _module_marker():
    pass


# PScript compiles ``settings.get(key)`` to a helper that treats a plain object as a
# dict (looking up the key itself). The module object is a plain object, so without
# this, ``get`` would never be called. An own ``constructor`` makes the helper call
# the module's ``get``.
constructor = _module_marker

_state = {
    "store": None,
    "unsubscribe": None,
    "local": None,  # dict, read from localStorage on first use
    "synced": {},  # key -> value of the store's setting items
    "memory": {},  # synced values set while no store exists
    "listening": False,
}


def _copy(value):
    if isinstance(value, dict) or isinstance(value, list):
        return window.JSON.parse(window.JSON.stringify(value))
    return value


def _has(d, key):
    return window.Object.prototype.hasOwnProperty.call(d, key)


def is_local(key):
    """Whether a setting is stored on this device only."""
    return _has(LOCAL_DEFAULTS, key)


def get_default(key):
    if _has(LOCAL_DEFAULTS, key):
        return _copy(LOCAL_DEFAULTS[key])
    if _has(SYNCED_DEFAULTS, key):
        return _copy(SYNCED_DEFAULTS[key])
    return None


# %% Storage


def _read_local_storage():
    try:
        text = window.localStorage.getItem(LOCAL_STORAGE_KEY)
        value = window.JSON.parse(text) if text else {}
    except Exception:
        value = {}
    if not isinstance(value, dict):
        value = {}
    return value


def _local():
    if _state.local is None:
        _state.local = _read_local_storage()
        _listen_to_other_tabs()
    return _state.local


def _write_local():
    try:
        window.localStorage.setItem(
            LOCAL_STORAGE_KEY, window.JSON.stringify(_state.local)
        )
    except Exception as err:
        window.console.warn("could not save device settings:", err)


def _listen_to_other_tabs():
    if _state.listening or not window.addEventListener:
        return
    _state.listening = True

    def on_storage(event):
        if event.key == LOCAL_STORAGE_KEY:
            old = _merged()
            _state.local = _read_local_storage()
            _notify_differences(old, _merged())

    window.addEventListener("storage", on_storage)


def _read_synced():
    values = {}
    store = _state.store
    if store is not None:
        for item in store.settings.get_all_items():
            values[item.key] = item.value
    return values


def reload():
    """Re-read the synced values from the store (and the device settings); notify the
    keys whose value changed."""
    old = _merged()
    _state.synced = _read_synced()
    if _state.local is not None:
        _state.local = _read_local_storage()
    _notify_differences(old, _merged())


def _merged():
    """Every stored value, as ``get`` would see it (for change detection)."""
    values = {}
    local = _state.local or {}
    synced = _state.synced if _state.store is not None else _state.memory
    for key in synced.keys():
        values[key] = synced[key]
    for key in local.keys():
        if is_local(key) or not _has(synced, key):
            values[key] = local[key]
    return values


def use_store(store):
    """Take synced settings from ``store`` (a DataStore) from now on (SY-22)."""
    if _state.unsubscribe is not None:
        _state.unsubscribe()
        _state.unsubscribe = None
    _state.store = store
    if store is not None:

        def on_store_change(what):
            if what == "settings":
                reload()

        _state.unsubscribe = store.on_change(on_store_change)
        # Values set before the store existed are not lost.
        memory = _state.memory
        _state.memory = {}
        for key in memory.keys():
            set(key, memory[key])
    reload()


# %% The API


def get(key):
    """The value of a setting: its default when unset."""
    local = _local()
    synced = _state.synced if _state.store is not None else _state.memory
    if is_local(key):
        if _has(local, key):
            return _copy(local[key])
        if _has(synced, key):
            return _copy(synced[key])
    else:
        if _has(synced, key):
            return _copy(synced[key])
        if _has(local, key):
            return _copy(local[key])
    return get_default(key)


def peek(key):
    """Like ``get``, without copying lists and objects: for hot paths (drawing) that
    only read. Never change what it returns."""
    local = _local()
    synced = _state.synced if _state.store is not None else _state.memory
    first, second = (local, synced) if is_local(key) else (synced, local)
    if _has(first, key):
        return first[key]
    if _has(second, key):
        return second[key]
    if _has(LOCAL_DEFAULTS, key):
        return LOCAL_DEFAULTS[key]
    if _has(SYNCED_DEFAULTS, key):
        return SYNCED_DEFAULTS[key]
    return None


def synced_keys():
    """The keys of the synced settings that are stored (e.g. every ``taginfo``)."""
    synced = _state.synced if _state.store is not None else _state.memory
    return [key for key in synced.keys()]


def set(key, value):
    """Set a setting; takes effect immediately (local write or a synced put)."""
    if not isinstance(key, str) or not key:
        raise ValueError("settings.set: the key must be a non-empty string")
    if value is undefined:
        value = None
    if is_local(key):
        local = _local()
        old = local[key]
        local[key] = _copy(value)
        _write_local()
        if window.JSON.stringify(old) != window.JSON.stringify(value):
            _notify(key)
        return
    store = _state.store
    if store is None:
        _state.memory[key] = _copy(value)
        _notify(key)
        return
    item = store.settings.create(key, _copy(value))
    store.settings.put(item)  # the store notifies "settings", and reload() follows
    if window.JSON.stringify(_state.synced[key]) != window.JSON.stringify(value):
        # The store refused the put (e.g. a newer value from another device).
        window.console.warn("setting not stored:", key)


_changes = events.Emitter("settings")


def on_change(callback):
    """Call ``callback(key)`` when a setting changes. Returns an unsubscribe function."""
    return _changes.subscribe(callback)


def _notify(key):
    _changes.emit(key)


def _notify_differences(old, current):
    keys = {}
    for key in old.keys():
        keys[key] = True
    for key in current.keys():
        keys[key] = True
    for key in keys.keys():
        if window.JSON.stringify(old[key]) != window.JSON.stringify(current[key]):
            _notify(key)
