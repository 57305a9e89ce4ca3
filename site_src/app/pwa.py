"""The installable app: service worker registration, new versions (SY-18, SY-19) and
the install prompt (SY-20).

* ``register_service_worker()`` (the app page calls it once, PG-05): registers
  ``app/sw.js`` (scope: the app folder) and checks for a new version every 4 hours
  (a long-interval job, SY-17).
* When a new worker takes over, a page loaded less than 3 seconds ago reloads at once;
  an older one shows a small banner "A new version is available" with a refresh link.
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
}


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


def show_update_banner():
    """A small note near the top left: a new version is ready, with a refresh link."""
    doc = window.document
    if doc.getElementById(BANNER_ID):
        return
    banner = doc.createElement("div")
    banner.id = BANNER_ID
    banner.setAttribute("role", "status")
    banner.style.cssText = (
        "position: fixed; top: 4px; left: 4px; z-index: 2147483000; padding: 6px 10px;"
        "background: #F4F4F4; color: #0F2C3E; border-radius: 4px;"
        "box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 14px system-ui, sans-serif;"
    )
    banner.appendChild(doc.createTextNode("A new version is available. "))
    link = doc.createElement("a")
    link.href = "#"
    link.textContent = "Refresh"

    def refresh(event):
        event.preventDefault()
        window.location.reload()

    link.addEventListener("click", refresh)
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
