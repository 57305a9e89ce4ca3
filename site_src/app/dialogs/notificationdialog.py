"""Small message dialogs: ``NotificationDialog`` (a title, a message, Close) and the
sync status the sync indicator shows when clicked (TL-24, SY-14).

The app opens notifications for the demo and sandbox welcome (DM-01, DM-04) and for
server notices (SY-06); ``show_sync_status`` explains the sync, or shows the last
sync error.
"""

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


def sync_status_text(state, last_error):
    """``[title, html]`` for the sync indicator's dialog (TL-24, SY-14)."""
    if state == "warning" or state == "error":
        text = last_error or "The last sync did not succeed."
        return [
            "Sync error",
            "<p>"
            + markup.escape(text)
            + "</p><p>Your changes are kept on this device and will be sent on the"
            " next successful sync.</p>",
        ]
    return [
        "Sync status",
        "<p>Your records and settings sync with the server continuously: changes"
        " are sent a moment after you make them, and changes made on other devices"
        " arrive within a short while.</p><p>The indicator next to the menu button"
        " shows when a sync is pending or running, and changes when something goes"
        " wrong.</p>",
    ]


def show_sync_status(app):
    """What clicking the sync indicator does (TL-24): the error on warning/error,
    otherwise the status explanation and a sync in 0.2 s."""
    store = app.store
    state = store.state if store else ""
    last_error = store.last_error if store else ""
    if state != "warning" and state != "error" and store and store.sync_soon:
        store.sync_soon(0.2)
    texts = sync_status_text(state, last_error)
    icon_name = "warning" if texts[0] == "Sync error" else "info"
    return NotificationDialog(app).open(texts[0], texts[1], None, icon_name)
