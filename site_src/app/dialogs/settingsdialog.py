"""The settings dialog (ST-21): every setting of ST-01 ... ST-12, each written where the
settings API keeps it, and static information (time zone, keyboard shortcuts, SK-07).

* "User settings" are synced with the account (settings items in the store, ST-00):
  week start, workdays, date / time / duration formats, the "today" range, the
  stopwatch. In the demo and the sandbox they live in that page only (the note says so).
* "This device" settings stay in this browser (localStorage): light/dark theme and
  width (both apply at once: the app and the theme module listen to the settings),
  notifications (enabling asks the browser's permission first, TP-10) and the pomodoro.
* Each control writes its setting on change (no Save button) and shows a short
  "Saved"; while the dialog is open, a change from another device or tab updates the
  control it belongs to.

``controls()`` describes the controls as data (key, label, choices); ``choice_value``
maps a select's text value back to the setting's value (numbers stay numbers). Both
are pure and tested in node.
"""

from pscript import window

from ..core import dt, icons, markup, settings
from . import basedialog, helpdialog

TODAY_OFFSETS = [
    ["-3h", "21:00"],
    ["-2h", "22:00"],
    ["-1h", "23:00"],
    ["", "00:00 (midnight)"],
    ["1h", "01:00"],
    ["2h", "02:00"],
    ["3h", "03:00"],
    ["4h", "04:00"],
    ["5h", "05:00"],
    ["6h", "06:00"],
    ["7h", "07:00"],
    ["8h", "08:00"],
    ["9h", "09:00"],
]


def _select(key, label, choices):
    """A select control: ``choices`` are ``[[value, label]]``."""
    return {"key": key, "label": label, "choices": choices}


def _checkbox(key, label, text):
    return {"key": key, "label": label, "checkbox": text}


def date_choices(now):
    """The date formats (ST-03), each shown as ``now`` in that format."""
    choices = []
    for rep in dt.DATE_REPRS:
        label = dt.format_date(now, rep)
        if rep == "yyyy-mm-dd":
            label += " (ISO)"
        elif rep == "mm/dd/yyyy":
            label += " (US)"
        choices.append([rep, label])
    return choices


def _time_controls(now):
    """ST-01 ... ST-07: how times and ranges are shown (synced)."""
    return [
        _select(
            "first_day_of_week",
            "Week starts on",
            [[0, "Sunday"], [1, "Monday"], [6, "Saturday"]],
        ),
        _select(
            "workdays",
            "Workdays",
            [
                [2, "Monday \u2013 Friday"],
                [1, "Monday \u2013 Saturday"],
                [0, "Monday \u2013 Sunday"],
            ],
        ),
        _select("date_repr", "Show dates as", date_choices(now)),
        _select(
            "time_repr",
            "Show time as",
            [["auto", "Auto (as the browser)"], ["24h", "23:20"], ["ampm", "11:20 pm"]],
        ),
        _select(
            "duration_repr",
            "Show durations as",
            [["dhms", "1d3h20m"], ["hms", "27h20m"], ["colon", "27:20"]],
        ),
        _select("today_snap_offset", "Today starts at", TODAY_OFFSETS),
        _select(
            "today_end_offset",
            "Today lasts",
            [["", "24 hours"], ["-12h", "12 hours"]],
        ),
    ]


# The currencies offered for the report's amounts (any code works when synced).
CURRENCIES = [
    ["", "None (amounts only)"],
    ["EUR", "EUR"],
    ["USD", "USD"],
    ["GBP", "GBP"],
    ["CHF", "CHF"],
    ["CAD", "CAD"],
    ["AUD", "AUD"],
    ["JPY", "JPY"],
    ["INR", "INR"],
    ["BRL", "BRL"],
    ["SEK", "SEK"],
    ["NOK", "NOK"],
    ["DKK", "DKK"],
    ["PLN", "PLN"],
    ["CZK", "CZK"],
]


def _appearance_controls():
    """ST-09, ST-10: theme and width (this device)."""
    return [
        _select(
            "darkmode",
            "Light or dark",
            [[0, "Auto (follow the system)"], [1, "Light"], [2, "Dark"]],
        ),
        _select(
            "width_mode",
            "Width",
            [
                ["auto", "Auto"],
                ["1000", "At most 1000 px"],
                ["1500", "At most 1500 px"],
                ["full", "Full width"],
            ],
        ),
    ]


def _notification_controls():
    """ST-11, ST-12 (this device)."""
    return [
        _checkbox(
            "notifications", "Notification", "Show a notification when a record starts"
        ),
        _checkbox(
            "pomodoro_enabled", "Pomodoro", "Enable the pomodoro timer (experimental)"
        ),
    ]


def controls(now=None):
    """The controls per section: ``[[section_id, title, [[heading, [control]]]]]``
    where a control is ``{key, label, choices}`` (``choices``: ``[[value, label]]``)
    or ``{key, label, checkbox: text}``. Example dates use ``now``."""
    if now is None:
        now = dt.now()
    stopwatch = _checkbox(
        "show_stopwatch", "Stopwatch", "Show the elapsed time below the start button"
    )
    return [
        [
            "user",
            "User settings",
            [
                ["Time representation", _time_controls(now)],
                ["Misc", [stopwatch, _select("currency", "Currency", CURRENCIES)]],
            ],
        ],
        [
            "device",
            "Settings for this device",
            [
                ["Appearance", _appearance_controls()],
                ["Notifications and pomodoro", _notification_controls()],
            ],
        ],
    ]


def choice_value(choices, text):
    """The setting value of the choice whose value reads as ``text`` (select values
    are strings), or None when there is none."""
    for pair in choices:
        if str(pair[0]) == text:
            return pair[0]
    return None


def time_zone_text(now=None):
    """``UTC+01:00 (Europe/Amsterdam)``: the current offset, and the zone's name when
    the browser tells it."""
    if now is None:
        now = dt.now()
    text = dt.format_utc_offset(now)
    name = ""
    try:
        name = window.Intl.DateTimeFormat().resolvedOptions().timeZone or ""
    except Exception:
        name = ""
    if name:
        text += " (" + name + ")"
    return text


# %% The dialog

BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


class SettingsDialog(BaseDialog):
    """Every setting, written on change (ST-21)."""

    css_class = "tt-settings-dialog"

    def open(self, callback=None):
        self._controls = {}  # key -> {control, node}
        self._saved_timers = {}
        self._unsubscribe = None
        self._build_frame("Settings", "settings")
        self._create_dom()
        self._show(callback)
        self._unsubscribe = settings.on_change(self._on_setting_change)
        return self

    def _sync_note(self):
        store = self._app.store
        kind = store.kind if store else ""
        if kind == "demo":
            return "In the demo these are kept on this page only, until you leave it."
        elif kind == "sandbox":
            return (
                "In the sandbox these are kept on this page only, until you leave it."
            )
        return "Synced with your account: they follow you to every device."

    def _create_dom(self):
        esc = markup.escape
        html = ""
        for section in controls():
            html += '<section class="tt-st-section" data-section="' + section[0] + '">'
            html += '<h3 class="tt-section-title">' + esc(section[1]) + "</h3>"
            if section[0] == "user":
                html += '<p class="tt-note">' + esc(self._sync_note()) + "</p>"
            else:
                html += '<p class="tt-note">Kept in this browser only.</p>'
            for group in section[2]:
                html += '<h4 class="tt-st-heading">' + esc(group[0]) + "</h4>"
                for control in group[1]:
                    html += self._control_html(control)
            html += "</section>"
        html += '<section class="tt-st-section" data-section="static">'
        html += '<h3 class="tt-section-title">Information</h3>'
        html += (
            '<div class="tt-st-row"><span class="tt-st-label">Time zone</span>'
            + '<span class="tt-st-static tt-st-tz">'
            + esc(time_zone_text())
            + "</span></div>"
        )
        html += '<h4 class="tt-st-heading">Keyboard shortcuts</h4>'
        html += '<div class="tt-keys-grid">' + helpdialog.shortcuts_html() + "</div>"
        html += "</section>"
        self.body.innerHTML = html
        self.footer.innerHTML = (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-primary tt-st-done">'
            + "Done</button></div>"
        )
        self.footer.querySelector(".tt-st-done").onclick = lambda e: self.close()
        for section in controls():
            for group in section[2]:
                for control in group[1]:
                    node = self.body.querySelector('[data-key="' + control.key + '"]')
                    self._controls[control.key] = {"control": control, "node": node}
                    node.addEventListener("change", self._on_input_change, False)
                    self._show_value(control.key)
        if not window.Notification:
            node = self._controls.notifications.node
            node.disabled = True
            node.closest(".tt-st-row").querySelector(
                ".tt-st-hint"
            ).textContent = "This browser cannot show notifications."

    def _control_html(self, control):
        esc = markup.escape
        cid = "tt-st-" + control.key.split("_").join("-")
        if control.checkbox:
            return (
                '<div class="tt-st-row tt-st-check-row"><span class="tt-st-label">'
                + esc(control.label)
                + '</span><label class="tt-check" for="'
                + cid
                + '"><input type="checkbox" id="'
                + cid
                + '" data-key="'
                + control.key
                + '"><span>'
                + esc(control.checkbox)
                + '</span><span class="tt-st-saved" aria-hidden="true"></span></label>'
                + '<span class="tt-st-hint tt-note"></span></div>'
            )
        html = (
            '<div class="tt-st-row"><span class="tt-st-label-wrap"><label class="tt-st-label" for="'
            + cid
            + '">'
            + esc(control.label)
            + '</label><span class="tt-st-saved" aria-hidden="true"></span></span>'
            + '<select id="'
            + cid
            + '" data-key="'
            + control.key
            + '">'
        )
        for pair in control.choices:
            html += (
                '<option value="'
                + esc(str(pair[0]))
                + '">'
                + esc(pair[1])
                + "</option>"
            )
        html += "</select></div>"
        return html

    def _show_value(self, key):
        entry = self._controls[key]
        if not entry:
            return
        value = settings.get(key)
        node = entry.node
        if entry.control.checkbox:
            node.checked = bool(value)
        else:
            text = str(value if value is not None else "")
            if choice_value(entry.control.choices, text) is None:
                text = str(settings.get_default(key))  # an unknown stored value
            node.value = text

    def _on_input_change(self, e):
        node = e.currentTarget
        key = node.dataset.key
        entry = self._controls[key]
        if entry.control.checkbox:
            value = bool(node.checked)
            if key == "notifications" and value:
                self._ask_notification_permission(node)
                return
        else:
            value = choice_value(entry.control.choices, node.value)
            if value is None:
                return
        settings.set(key, value)
        self._flash_saved(key)
        if self._app.request_redraw:
            self._app.request_redraw()

    def _ask_notification_permission(self, node):
        """Enabling notifications asks the browser first (TP-10); refused: stays off."""
        hint = node.closest(".tt-st-row").querySelector(".tt-st-hint")
        notification = window.Notification
        if not notification:
            node.checked = False
            return

        def decided(permission):
            if permission == "granted":
                settings.set("notifications", True)
                hint.textContent = ""
                self._flash_saved("notifications")
            else:
                node.checked = False
                settings.set("notifications", False)
                hint.textContent = (
                    "The browser does not allow notifications for this site: allow"
                    " them in its site settings first."
                )

        if notification.permission == "granted" or notification.permission == "denied":
            decided(notification.permission)
            return
        try:
            result = notification.requestPermission()
            if result and result.then:
                result.then(decided)
        except Exception:
            decided("denied")

    def _flash_saved(self, key):
        entry = self._controls[key]
        mark = entry.node.closest(".tt-st-row").querySelector(".tt-st-saved")
        if not mark:
            return
        mark.innerHTML = icons.icon("check") + "Saved"
        mark.classList.add("tt-visible")
        if self._saved_timers[key]:
            window.clearTimeout(self._saved_timers[key])

        def hide():
            mark.classList.remove("tt-visible")
            self._saved_timers[key] = None

        self._saved_timers[key] = window.setTimeout(hide, 1500)

    def _on_setting_change(self, key):
        # A change from another device (synced) or another tab (device settings).
        if (
            self._controls[key]
            and window.document.activeElement is not self._controls[key].node
        ):
            self._show_value(key)

    def _on_close(self):
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
