"""The keyboard shortcut overlay (SK-05, SK-06, SK-07).

``SHORTCUTS`` lists every key the app and its dialogs handle, grouped in sections;
``HelpDialog(app).open()`` shows them (the app opens it with ``?``, the menu has an
entry). The list is data, so the settings dialog can show the same one (SK-07) via
``shortcuts_html()``.
"""

from pscript import window

from ..core import markup
from . import basedialog

SHORTCUTS = [
    [
        "Navigate",
        [
            [["\u2191", "PageUp"], "Step back in time"],
            [["\u2193", "PageDown"], "Step forward in time"],
            [["\u2190"], "Zoom out"],
            [["\u2192"], "Zoom in"],
            [["N", "Home", "End"], "Go to now, at the current zoom"],
            [["D"], "Today (press again for the whole day)"],
            [["W", "M", "Q", "Y"], "This week, month, quarter, year"],
            [["T"], "Choose a time range"],
        ],
    ],
    [
        "Records",
        [
            [["S"], "Start a record"],
            [["Shift+S"], "Resume the current or last activity"],
            [["X"], "Stop all running records"],
            [["Backspace"], "Clear the tag filter of the overview"],
        ],
    ],
    [
        "Other",
        [
            [["R"], "Report"],
            [["F"], "Search records and tags"],
            [["I"], "Guide"],
            [["?"], "This list of shortcuts"],
        ],
    ],
    [
        "In dialogs",
        [
            [["Enter"], "Submit (e.g. save the record)"],
            [["Esc"], "Close without saving"],
            [["\u2191", "\u2193"], "Move through suggestions"],
            [["Enter", "Tab"], "Accept the highlighted suggestion"],
            [["#"], "While typing a tag: switch between tags and presets"],
        ],
    ],
]


def shortcuts_html():
    """The shortcut list as HTML sections with a two-column table each."""
    esc = markup.escape
    html = ""
    for section in SHORTCUTS:
        html += '<section class="tt-keys-section"><h3>' + esc(section[0]) + "</h3>"
        html += '<table class="tt-keys"><tbody>'
        for row in section[1]:
            keys = [("<kbd>" + esc(k) + "</kbd>") for k in row[0]]
            html += (
                '<tr><th scope="row">'
                + " ".join(keys)
                + "</th><td>"
                + esc(row[1])
                + "</td></tr>"
            )
        html += "</tbody></table></section>"
    return html


BaseDialog = basedialog.BaseDialog  # PScript needs a plain name (no dots, no _) as base


class HelpDialog(BaseDialog):
    """The shortcut overlay."""

    css_class = "tt-help-dialog"

    def open(self, callback=None):
        self._build_frame("Keyboard shortcuts", "keyboard")
        intro = ""
        if not basedialog.is_desktop():
            intro = (
                '<p class="tt-explain">These keys work with a keyboard attached. '
                "On a touch screen, use the buttons and drag the timeline.</p>"
            )
        self.body.innerHTML = (
            intro + '<div class="tt-keys-grid">' + shortcuts_html() + "</div>"
        )
        self.footer.innerHTML = (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-primary"'
            " data-autofocus>Close</button></div>"
        )
        self.footer.querySelector("button").onclick = lambda e: self.close()
        # A long list scrolls (a phone): the keyboard must be able to scroll it too.
        self.body.tabIndex = 0
        self.body.setAttribute("role", "region")
        self.body.setAttribute("aria-label", "Keyboard shortcuts")
        self._show(callback)
        return self

    def _on_key(self, e):
        if e.key == "?" and not (window.document.activeElement or {}).value:
            e.preventDefault()
            self.close()
