"""Small message dialogs: ``NotificationDialog`` (a title, a message, Close) and the
sync status the sync indicator shows when clicked (TL-24, SY-14).

The app opens notifications for the demo and sandbox welcome (DM-01, DM-04) and for
server notices (SY-06); ``show_sync_status`` explains the sync, or shows the last
sync error.
"""

from pscript import window

from ..core import markup
from . import basedialog

BaseDialog = basedialog.BaseDialog


class NotificationDialog(BaseDialog):
    """A title, an HTML message and a Close button."""

    css_class = "tt-notification"

    def open(self, title, html, callback=None, icon_name="info"):
        self._build_frame(title, icon_name)
        self.body.innerHTML = '<div class="tt-message">' + html + "</div>"
        self.footer.innerHTML = (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-primary"'
            " data-autofocus>Close</button></div>"
        )
        self.footer.querySelector("button").onclick = lambda e: self.close()
        self._show(callback)
        return self


def _waiting_text(waiting):
    if waiting == 1:
        return "1 change made on this device is waiting to be sent."
    return str(waiting) + " changes made on this device are waiting to be sent."


def sync_status_text(state, last_error, online=True, waiting=0):
    """``[title, html]`` for the sync indicator's dialog (TL-24, SY-14): offline, the
    last error, or how syncing works; each with the changes still waiting to go out."""
    waiting_html = "<p>" + _waiting_text(waiting) + "</p>" if waiting > 0 else ""
    if not online:
        return [
            "Offline",
            "<p>This device is offline: nothing can be sent or received now. You can"
            " keep working; what you change is kept on this device.</p>"
            + (waiting_html or "<p>No changes are waiting to be sent.</p>")
            + "<p>The sync goes on by itself when the connection is back.</p>",
        ]
    if state == "warning" or state == "error":
        text = last_error or "The last sync did not succeed."
        return [
            "Sync error",
            "<p>"
            + markup.escape(text)
            + "</p>"
            + waiting_html
            + "<p>Your changes are kept on this device and will be sent on the"
            " next successful sync.</p>",
        ]
    return [
        "Sync status",
        "<p>Your records and settings sync with the server continuously: changes"
        " are sent a moment after you make them, and changes made on other devices"
        " arrive within a short while.</p>"
        + waiting_html
        + "<p>The indicator next to the menu button"
        " shows when a sync is pending or running, and changes when something goes"
        " wrong.</p>",
    ]


def _waiting_count(store):
    """Local edits not yet confirmed by the server (records and settings)."""
    n = 0
    for part in [store.records, store.settings]:
        if part and part.queue_size:
            n += part.queue_size()
    return n


def show_sync_status(app):
    """What clicking the sync indicator does (TL-24): offline, the error on
    warning/error, otherwise the status explanation and a sync in 0.2 s."""
    store = app.store
    state = store.state if store else ""
    last_error = store.last_error if store else ""
    online = window.navigator.onLine is not False
    waiting = _waiting_count(store) if store else 0
    if online and state != "warning" and state != "error" and store and store.sync_soon:
        store.sync_soon(0.2)
    texts = sync_status_text(state, last_error, online, waiting)
    icon_name = "warning" if texts[0] == "Sync error" or not online else "info"
    return NotificationDialog(app).open(texts[0], texts[1], None, icon_name)
