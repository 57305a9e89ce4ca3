"""The top of the app: the dark band and the button row (HTML, above the panels).

* The band (TL-24): the menu button (with a "Demo"/"Sandbox" label in those modes),
  the sync indicator (a ring that fills up until the next sync, with an icon per
  store state: pending, syncing, ok, warning, error, idle; click for the sync status
  or the last error), the header text describing the range (TL-03), the logo.
* The button row (TL-07): record/stop buttons with the stopwatch text below them
  (TL-25), Today, the time-range calendar, zoom out, step back/forward (centre), zoom
  in, Report, help. Every button has a tooltip with its key (TL-30).
* Responsive (TL-26): on narrow screens the row is packed centred, and labels and
  buttons are dropped in order (the Report label, the zoom buttons, Today, the step
  buttons) until the row fits; zooming stays available by pinching.
* The pomodoro button (TP-04) left of the record buttons when the pomodoro is on, and
  the pomodoro's time left in front of the stopwatch text (TL-25).
* The favicon gets a dot while a timer runs (TL-25); onboarding hints (TL-27); the
  logged-out view (TL-28, PG-12) with the reason and a Login button.
* ``ICONS`` / ``icons.icon(name)``: the app's small line icons as inline SVG, for the
  dialogs too.
"""

from pscript import window

from ..core import dt, icons, markup, taginfo, tags
from ..store import auth
from . import canvas, timescale

# The favicon while a timer runs: the app icon with an accent dot.
FAVICON_RUNNING = (
    "data:image/svg+xml,"
    + window.encodeURIComponent(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        + '<rect width="64" height="64" rx="12" fill="#0F2C3E"/>'
        + '<circle cx="32" cy="34" r="20" fill="none" stroke="#F4F4F4" stroke-width="5"/>'
        + '<path d="M32 22v13l9 6" fill="none" stroke="#DEAA22" stroke-width="5" '
        + 'stroke-linecap="round"/>'
        + '<circle cx="50" cy="14" r="13" fill="#ff4444" stroke="#0F2C3E" stroke-width="3"/>'
        + "</svg>"
    )
    if window.encodeURIComponent
    else ""
)

SYNC_TITLES = {
    "": "Synced; nothing to do",
    "pending": "Changes waiting to be synced",
    "sync": "Syncing",
    "ok": "Synced: new data received",
    "warning": "Sync warning: click for details",
    "error": "Sync error: click for details",
}


_LEVELS = ["", "no-report-label", "no-zoom", "no-today", "no-updown"]


def _button(cls, html, label):
    b = markup.el("button", "tt-tb " + cls, html)
    b.setAttribute("type", "button")
    b.setAttribute("aria-label", label)
    return b


class TopBar:
    """The band and the button row of an app."""

    def __init__(self, app, band, row):
        self.app = app
        self.band = band
        self.row = row
        self._shown = {}  # what the DOM currently shows, to skip needless updates
        self._start_time = (
            canvas.perf_seconds()
        )  # real time: a pinned clock stands still
        self._build_band()
        self._build_row()
        self._ring_timer = window.setInterval(self._update_sync, 100)

    # %% Building

    def _build_band(self):
        app = self.app
        band = self.band
        left = markup.el("div", "tt-band-left")
        self.menu_button = _button("tt-menu-btn", icons.icon("menu"), "Menu")
        if app.store.kind == "demo" or app.store.kind == "sandbox":
            label = "Demo" if app.store.kind == "demo" else "Sandbox"
            self.menu_button.appendChild(markup.el("span", "tt-kind", label))
            # A screen reader says what the button shows (WCAG 2.5.3).
            self.menu_button.setAttribute("aria-label", "Menu, " + label)
        self.menu_button.addEventListener("click", app.actions.open_menu)
        canvas.attach_tooltip(self.menu_button, "Menu")
        left.appendChild(self.menu_button)
        self.sync_button = _button("tt-sync", "", "Sync status")
        self.sync_button.innerHTML = (
            '<svg class="tt-ring" viewBox="0 0 36 36" aria-hidden="true">'
            + '<circle class="tt-ring-bg" cx="18" cy="18" r="15"/>'
            + '<circle class="tt-ring-fg" cx="18" cy="18" r="15"/></svg>'
            + '<span class="tt-sync-icon"></span>'
        )
        self.sync_button.addEventListener("click", app.actions.show_sync_status)
        canvas.attach_tooltip(self.sync_button, self._sync_title)
        left.appendChild(self.sync_button)
        band.appendChild(left)
        self.header = markup.el("div", "tt-header")
        self.header1 = markup.el("span", "tt-header1")
        self.header2 = markup.el("span", "tt-header2")
        self.header.appendChild(self.header1)
        self.header.appendChild(self.header2)
        band.appendChild(self.header)
        right = markup.el("div", "tt-band-right")
        logo = markup.el("img", "tt-logo")
        link = window.document.querySelector('link[rel="icon"]')
        if link:
            logo.src = link.href
        logo.alt = "TimeTagger"
        right.appendChild(logo)
        band.appendChild(right)

    def _build_row(self):
        app = self.app
        a = app.actions
        row = self.row
        left = markup.el("div", "tt-row-left")
        centre = markup.el("div", "tt-row-centre")
        right = markup.el("div", "tt-row-right")

        group = markup.el("div", "tt-recgroup")
        buttons = markup.el("div", "tt-recbuttons")
        self.pomodoro_button = _button(
            "tt-pomodoro", icons.icon("stopwatch"), "Pomodoro"
        )
        self.pomodoro_button.addEventListener("click", a.open_pomodoro)
        self.pomodoro_button.hidden = True
        canvas.attach_tooltip(self.pomodoro_button, "Pomodoro timer")
        buttons.appendChild(self.pomodoro_button)
        self.record_button = _button(
            "tt-record", icons.icon("play") + "<span>Record</span>", "Record"
        )
        self.record_button.addEventListener("click", a.start_record)
        canvas.attach_tooltip(self.record_button, "Start recording (s)")
        self.stop_button = _button("tt-stop", icons.icon("stop"), "Stop the timer")
        self.stop_button.addEventListener("click", a.stop_all)
        canvas.attach_tooltip(self.stop_button, self._stop_title)
        self.another_button = _button(
            "tt-another", icons.icon("play"), "Start another record"
        )
        self.another_button.addEventListener("click", a.start_record)
        canvas.attach_tooltip(self.another_button, "Start a new record (s)")
        buttons.appendChild(self.record_button)
        buttons.appendChild(self.stop_button)
        buttons.appendChild(self.another_button)
        group.appendChild(buttons)
        self.stopwatch = markup.el("div", "tt-stopwatch")
        group.appendChild(self.stopwatch)
        left.appendChild(group)

        self.today_button = _button("tt-today", "Today", "Today")
        self.today_button.addEventListener("click", a.show_today)
        canvas.attach_tooltip(self.today_button, "Today (d)")
        left.appendChild(self.today_button)
        cal = _button("tt-cal", icons.icon("calendar"), "Select time range")
        cal.addEventListener("click", a.open_time_range)
        canvas.attach_tooltip(cal, "Select time range (t)")
        left.appendChild(cal)
        zoomout = _button("tt-zoomout tt-zoom", icons.icon("zoomout"), "Zoom out")
        zoomout.addEventListener("click", a.zoom_out)
        canvas.attach_tooltip(zoomout, "Zoom out (←)")
        left.appendChild(zoomout)

        up = _button("tt-up", icons.icon("up"), "Step back in time")
        up.addEventListener("click", a.step_backward)
        canvas.attach_tooltip(up, "Step back in time (↑ / PageUp)")
        down = _button("tt-down", icons.icon("down"), "Step forward in time")
        down.addEventListener("click", a.step_forward)
        canvas.attach_tooltip(down, "Step forward in time (↓ / PageDown)")
        centre.appendChild(up)
        centre.appendChild(down)

        zoomin = _button("tt-zoomin tt-zoom", icons.icon("zoomin"), "Zoom in")
        zoomin.addEventListener("click", a.zoom_in)
        canvas.attach_tooltip(zoomin, "Zoom in (→)")
        right.appendChild(zoomin)
        report = _button(
            "tt-report",
            icons.icon("report") + '<span class="tt-report-label">Report</span>',
            "Report",
        )
        report.addEventListener("click", a.open_report)
        canvas.attach_tooltip(report, "Report (r)")
        right.appendChild(report)
        helpb = _button("tt-help", icons.icon("help"), "Guide")
        helpb.addEventListener("click", a.open_guide)
        canvas.attach_tooltip(helpb, "Guide (i); keyboard shortcuts (?)")
        right.appendChild(helpb)
        self.help_button = helpb

        row.appendChild(left)
        row.appendChild(centre)
        row.appendChild(right)
        self.hint = markup.el("div", "tt-hint")
        self.hint.addEventListener("click", self._hide_hint)
        row.appendChild(self.hint)

    # %% Responsive rules (TL-26)

    def relayout(self):
        """Drop row items, least important first, until the row fits."""
        row = self.row
        width = row.clientWidth
        compact = width < 640
        row.classList.toggle("compact", compact)
        classes = []
        for level in _LEVELS:
            if level:
                classes.append(level)
            for name in _LEVELS:
                if name:
                    row.classList.toggle(name, name in classes)
            if not self._overflows():
                break

    def _overflows(self):
        row = self.row
        if row.classList.contains("compact"):
            return row.scrollWidth > row.clientWidth + 1
        for i in range(row.children.length):
            part = row.children[i]
            if part.scrollWidth > part.clientWidth + 1:
                return True
        return False

    # %% Updating (called every frame; touches the DOM only on changes)

    def _set(self, key, value):
        """Whether ``value`` differs from what is shown under ``key`` (and remember it)."""
        if self._shown[key] is value:
            return False
        self._shown[key] = value
        return True

    def update(self):
        app = self.app
        store = app.store
        r = app.get_range()
        fdow = app.first_day_of_week()
        rk = r[0] + ":" + r[1] + ":" + fdow
        if self._set("range", rk):
            parts = timescale.header_text(r[0], r[1], fdow)
            if self._set("header", parts[0] + "|" + parts[1]):
                self.header1.textContent = parts[0]
                self.header2.textContent = parts[1]
            plain = timescale.plain_day_range(dt.now())
            grey = (
                abs(r[0] - plain[0]) < 1
                and abs(r[1] - plain[1]) < 1
                and not timescale.parse_offset(app.setting("today_snap_offset"))
            )
            if self._set("today_dim", grey):
                self.today_button.classList.toggle("dim", grey)
        if self._set("new_version", app.new_version or ""):  # SY-23: a red dot
            self.menu_button.classList.toggle("has-update", bool(app.new_version))
        running = store.records.get_running_records()
        n = len(running)
        if self._set("running", n):
            self.row.classList.toggle("running", n > 0)
            self._set_favicon(n > 0)
        # Stop icon colour: the tag colour of a single running record with one tag.
        color = ""
        if n == 1:
            rtags = tags.get_tags(running[0].ds)
            if len(rtags) == 1:
                color = taginfo.get_tag_color(rtags[0])
        if self._set("stopcolor", color):
            self.stop_button.style.color = color
        # Stopwatch text
        text = ""
        if n == 1:
            if app.setting("show_stopwatch"):
                text = dt.duration_string(
                    dt.now() - running[0].t1, True, app.duration_repr()
                )
            else:
                text = "Timer running"
        elif n > 1:
            text = "Timers running"
        # The pomodoro (TP-04): its button, and the time left before the text.
        pomodoro_on = bool(app.setting("pomodoro_enabled"))
        if self._set("pomodoro_on", pomodoro_on):
            self.pomodoro_button.hidden = not pomodoro_on
            self.relayout()
        if pomodoro_on and app.pomodoro:
            left = app.pomodoro.status_text()
            if left:
                text = left + (" | " + text if text else "")
        if self._set("stopwatch", text):
            self.stopwatch.textContent = text
        self._update_hints()

    def _stop_title(self):
        running = self.app.store.records.get_running_records()
        names = []
        for r in running:
            for tag in tags.get_tags(r.ds):
                if tag not in names:
                    names.append(tag)
        text = "Stop the timer (x)"
        if len(names) > 0:
            text += ": " + " ".join(names)
        return text

    def _set_favicon(self, running):
        """Every icon link shows the dot while running, and its own icon after."""
        links = window.document.querySelectorAll('link[rel="icon"]')
        for i in range(links.length):
            link = links[i]
            if not link.dataset.original:
                link.dataset.original = link.getAttribute("href")
                link.dataset.originalType = link.getAttribute("type") or ""
            if running and FAVICON_RUNNING:
                link.setAttribute("href", FAVICON_RUNNING)
                link.setAttribute("type", "image/svg+xml")
            else:
                link.setAttribute("href", link.dataset.original)
                if link.dataset.originalType:
                    link.setAttribute("type", link.dataset.originalType)

    # %% Sync indicator (TL-24, SY-14)

    def _sync_title(self):
        return SYNC_TITLES[self.app.store.state or ""] or "Sync status"

    def _update_sync(self):
        if window.document.visibilityState == "hidden":
            return
        store = self.app.store
        state = store.state or ""
        if self._set("syncstate", state):
            name = {
                "": "idle",
                "pending": "plus",
                "sync": "sync",
                "ok": "check",
                "warning": "warning",
                "error": "error",
            }[state] or "idle"
            node = self.sync_button.querySelector(".tt-sync-icon")
            node.innerHTML = icons.icon(name)
            self.sync_button.className = "tt-tb tt-sync state-" + (state or "idle")
        progress = 0
        try:
            progress = max(0, min(1, store.sync_progress() or 0))
        except Exception:
            progress = 0
        progress = Math.round(progress * 50) / 50
        if self._set("syncprogress", progress):
            ring = self.sync_button.querySelector(".tt-ring-fg")
            circumference = 2 * Math.PI * 15
            ring.style.strokeDasharray = circumference
            ring.style.strokeDashoffset = circumference * (1 - progress)

    # %% Onboarding hints (TL-27)

    def _update_hints(self):
        """First "press Record" (an empty store, after 3 s), then, for a new user
        (at most 5 records) who has not opened the guide, "the guide is here"
        (after 4 s). Clicking a hint hides the hints for good (the guide's also
        opens the guide)."""
        since = canvas.perf_seconds() - self._start_time
        store = self.app.store
        text = ""
        target = None
        name = ""
        if self._shown.hints_dismissed:
            text = ""
        elif since > 3 and (store.put_count or 0) == 0 and self._no_records():
            name = "record"
            text = "Press Record to start tracking your time"
            target = self.record_button
        elif since > 4 and not self.app.help_opened and self._is_new_user():
            name = "guide"
            text = "New here? Press here for the guide"
            target = self.help_button
        if target is not None and not target.offsetParent:
            text = ""
        self._hint_name = name if text else ""
        if self._set("hint", text):
            self.hint.textContent = text
            self.hint.classList.toggle("visible", bool(text))
            if text and target is not None:
                rr = self.row.getBoundingClientRect()
                tr = target.getBoundingClientRect()
                x = tr.left - rr.left + 0.5 * tr.width
                width = self.hint.offsetWidth or 240
                left = max(8, min(x - 20, rr.width - width - 8))
                self.hint.style.left = left + "px"
                self.hint.style.setProperty("--arrow-x", (x - left) + "px")

    def _no_records(self):
        if self._shown.has_records:
            return False
        if len(self.app.store.records.get_all_records()) > 0:
            self._shown.has_records = True
            return False
        return True

    def _is_new_user(self):
        """At most 5 records (hidden ones too); once more, never again this page."""
        if self._shown.old_user:
            return False
        if self.app.store.records.count() > 5:
            self._shown.old_user = True
            return False
        return True

    def _hide_hint(self):
        name = self._hint_name or ""
        self._shown.hints_dismissed = True
        self.hint.classList.remove("visible")
        if name == "guide":
            self.app.actions.open_guide()


def build_logged_out(app, node):
    """Fill ``node`` with the logged-out view (PG-12): the reason and a Login button."""
    store = app.store
    reason = store.cannot_use_reason or ""
    node.innerHTML = ""
    box = markup.el("div", "tt-loggedout-box")
    title = markup.el("h2", "", "You are logged out")
    box.appendChild(title)
    p = markup.el("p", "")
    if not reason or reason.toLowerCase().startswith("you are logged out"):
        reason = "Log in to see and track your time on this device."
    p.textContent = reason
    box.appendChild(p)
    login = markup.el("a", "tt-tb tt-login", icons.icon("login") + "<span>Login</span>")
    login.href = auth.page_url("login/")
    box.appendChild(login)
    node.appendChild(box)
