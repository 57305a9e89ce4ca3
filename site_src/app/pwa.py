"""The installable app: service worker registration, new versions (SY-18, SY-19) and
the install prompt (SY-20).

* ``register_service_worker()`` (the app page calls it once, PG-05): registers
  ``app/sw.js`` (scope: the app folder) and checks for a new version every 4 hours
  (a long-interval job, SY-17).
* When a new worker takes over, a page loaded less than 3 seconds ago reloads at once;
  an older one shows a small banner "A new version is available" with a refresh link,
  and tells ``on_update(callback)`` listeners the new version (read from the app page
  the new worker has cached): the menu button gets a red dot and the menu an entry
  (SY-23). ``update_version()``: that version, "" while there is none.
* ``check_updated(on_whats_new)``: once per new version on this device, a banner
  "Updated to version X" with a "What's new" link (the release notes, SY-23).
* ``can_install()`` / ``install()``: the browser's install prompt, kept for the menu.
* ``on_message(callback)``: ``callback(data)`` for each message of the service worker
  (a notification's button, TP-09: ``{type: "notificationclick", action}``).
"""

from pscript import window

from .core import env, jobs

UPDATE_CHECK_INTERVAL = 4 * 3600
RELOAD_WINDOW = 3  # seconds after load in which a new version reloads silently
BANNER_ID = "tt-update-banner"

_state = {
    "registration": None,
    "loaded_at": 0,
    "had_controller": False,
    "install_event": None,
    "listening": False,
    "install_listening": False,
    "update_version": "",
    "update_listeners": [],
}
SEEN_VERSION_KEY = "timetagger_seen_version"


def _wall():
    return window.Date.now() / 1000


def worker_url():
    return env.site_root_url() + "app/sw.js"


def register_service_worker():
    """Register the worker; returns a promise of the registration (or None)."""
    _listen_for_install_prompt()
    container = window.navigator.serviceWorker
    if not container:
        return window.Promise.resolve(None)
    _state.loaded_at = _wall()
    _state.had_controller = bool(container.controller)
    if not _state.listening:
        _state.listening = True
        container.addEventListener("controllerchange", _on_controller_change)

    def registered(registration):
        _state.registration = registration
        jobs.every(UPDATE_CHECK_INTERVAL, check_for_update)
        return registration

    def failed(err):
        window.console.warn("service worker not registered:", err)
        return None

    return container.register(worker_url()).then(registered).catch(failed)


def check_for_update():
    """Ask the browser to look for a new worker (also done every 4 hours)."""
    registration = _state.registration
    if registration:
        return registration.update().catch(
            lambda err: window.console.info("update check failed:", err)
        )


def _on_controller_change():
    if not _state.had_controller:
        # The first worker took over a page that is already current.
        _state.had_controller = True
        return
    if _wall() - _state.loaded_at < RELOAD_WINDOW:
        window.location.reload()
    else:
        show_update_banner()
        window.fetch(env.site_root_url() + "app/").then(lambda r: r.text()).then(
            _on_new_page
        ).catch(lambda err: _on_new_page(""))


def _on_new_page(text):
    """The app page of the new version: its version for the menu (SY-23)."""
    m = RegExp("name=\"timetagger-config\" content='([^']*)'").exec(text or "")
    version = ""
    if m:
        try:
            version = str(window.JSON.parse(m[1]).version or "")
        except Exception:
            version = ""
    _state.update_version = version or "new"
    for callback in _state.update_listeners:
        callback(_state.update_version)


def on_update(callback):
    """``callback(version)`` when a new version has taken over ("new" if unknown)."""
    _state.update_listeners.append(callback)


def update_version():
    return _state.update_version


def reload():
    window.location.reload()


def show_update_banner():
    """A small note near the top left: a new version is ready, with a refresh link."""

    def refresh(event):
        event.preventDefault()
        window.location.reload()

    show_banner("A new version is available. ", "Refresh", refresh)


def check_updated(on_whats_new):
    """After an update (the version differs from the one this device saw last): a
    banner with a "What's new" link calling ``on_whats_new()``. Returns whether."""
    version = env.get_version()
    try:
        seen = window.localStorage.getItem(SEEN_VERSION_KEY)
        window.localStorage.setItem(SEEN_VERSION_KEY, version)
    except Exception:
        return False
    if not seen or not version or seen == version:
        return False

    def whats_new(event):
        event.preventDefault()
        banner = window.document.getElementById(BANNER_ID)
        if banner:
            banner.remove()
        on_whats_new()

    show_banner("Updated to version " + version + ". ", "What's new", whats_new)
    window.setTimeout(lambda: _remove_banner(whats_new), 30000)
    return True


def _remove_banner(on_click):
    banner = window.document.getElementById(BANNER_ID)
    if banner and banner.on_click is on_click:
        banner.remove()


def show_banner(text, link_text, on_click):
    """A small note near the top left with one link (plain text, no markup)."""
    doc = window.document
    if doc.getElementById(BANNER_ID):
        return
    banner = doc.createElement("div")
    banner.id = BANNER_ID
    banner.setAttribute("role", "status")
    banner.style.cssText = (
        "position: fixed; bottom: 8px; left: 8px; z-index: 2147483000; padding: 6px 10px;"
        "background: #F4F4F4; color: #0F2C3E; border-radius: 4px;"
        "box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 14px system-ui, sans-serif;"
    )
    banner.appendChild(doc.createTextNode(text))
    link = doc.createElement("a")
    link.href = "#"
    link.textContent = link_text
    link.addEventListener("click", on_click)
    banner.on_click = on_click
    banner.appendChild(link)
    doc.body.appendChild(banner)


# %% Messages of the service worker (TP-09)


def on_message(callback):
    container = window.navigator.serviceWorker
    if not container:
        return

    def on_worker_message(event):
        callback(event.data)

    container.addEventListener("message", on_worker_message)
    if container.startMessages:
        container.startMessages()


# %% Install prompt (SY-20)


def _listen_for_install_prompt():
    if _state.install_listening:
        return
    _state.install_listening = True

    def on_prompt(event):
        event.preventDefault()
        _state.install_event = event

    def on_installed():
        _state.install_event = None

    window.addEventListener("beforeinstallprompt", on_prompt)
    window.addEventListener("appinstalled", on_installed)


def can_install():
    """Whether the browser offered to install the app (the menu shows an entry)."""
    return _state.install_event is not None


def install():
    """Show the browser's install prompt (from a click)."""
    event = _state.install_event
    if event is None:
        return window.Promise.resolve(False)
    _state.install_event = None
    event.prompt()
    return event.userChoice.then(lambda choice: choice.outcome == "accepted")
