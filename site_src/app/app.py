"""The app page: bootstrap (PG-04, PG-05) and the app object the other modules use.

``start(kind)`` is what the pages call: ``"app"`` (synced with the API),
``"demo"`` (generated data) or ``"sandbox"`` (empty, nothing saved). It checks the
browser (PG-04), creates the store and the ``App``, registers the service worker on the
real app page only, and shows the demo/sandbox info dialog (DM-01, DM-04).

``main()`` is what the app pages run once parsed (the build calls it at the end of the
page's script): it starts the kind that ``<div id="ttapp" data-kind="...">`` names.
The dialogs are loaded on first use (``lazy``): the page's first script holds what
draws the timeline; the first dialog opened fetches the rest.

``App`` builds the page (top band and button row from ``topbar``, the timeline canvas,
the overview panel, the narrow-screen panel tabs of TL-02, the logged-out view of
PG-12), owns the visible range and its animation (TL-04, TL-06), the keyboard
shortcuts (SK-05), the ``#date=`` hash (TL-15) and the actions the buttons, keys and
dialogs trigger (``app.actions``). Dialogs see it through the contract in
docs/client.md: ``store``, ``get_range()``, ``animate_range()``, ``request_redraw()``,
``selected_tags``, ``actions``, ``canvas`` (the element that gets focus back).
"""

from pscript import window

from . import lazy, pwa
from .core import dt, icons, markup, settings, tags, theme
from .dialogs import basedialog, notificationdialog
from .store import stores
from .timeline import canvas, overview, timeline, timescale, topbar

if lazy.ON_FIRST_USE:  # in the page's second bundle: reached inside self._later()
    from .dialogs import (
        guidedialog,
        helpdialog,
        menudialog,
        notify,
        pomodorodialog,
        recorddialog,
        searchdialog,
        tagdialogs,
        timerangedialog,
    )
    from .reports import reportdialog

NARROW_PANELS = 785  # below this panel width only one panel shows (TL-02)
MIN_RANGE = 60
MAX_RANGE = 60 * 365 * 86400

DEMO_TEXT = (
    "<p>This is the demo of TimeTagger, with several years of made-up records to "
    "explore. Zoom out to see weeks, months and years, click a tag in the overview to "
    "focus on it, or open the report.</p><p>Nothing you change here is saved: the "
    "data is new on every visit.</p>"
)
SANDBOX_TEXT = (
    "<p>The sandbox is an empty TimeTagger to play with: record some time, try the "
    "keys, or import a file to see how it would look.</p><p>Nothing is saved or "
    "synced: everything is gone when you leave the page.</p>"
)


# %% Start-up


def missing_capabilities():
    """Names of what this browser lacks of what the app needs (PG-04)."""
    missing = []
    w = window
    if not (w.crypto and w.crypto.getRandomValues):
        missing.append("crypto.getRandomValues")
    for name in ["atob", "history", "Uint8Array", "Path2D", "Promise", "fetch"]:
        if not w[name]:
            missing.append(name)
    # (Storage objects are empty at first: PScript's truthiness would call them false.)
    for name in ["localStorage", "indexedDB"]:
        try:
            if w[name] == None:  # noqa: E711 - null or undefined
                missing.append(name)
        except Exception:
            missing.append(name)
    return missing


def _root():
    root = window.document.getElementById("ttapp")
    if not root:
        root = window.document.createElement("div")
        root.id = "ttapp"
        window.document.body.appendChild(root)
    return root


def main():
    """Start the app this page asks for: ``<div id="ttapp" data-kind="demo">``
    (``app``, ``demo`` or ``sandbox``; ``app`` when the page names none)."""
    root = window.document.getElementById("ttapp")
    kind = root.getAttribute("data-kind") if root else None
    return start(kind or "app")


def start(kind="app"):
    """Start the app on this page. Returns the App, or None when it cannot run."""
    root = _root()
    missing = missing_capabilities()
    if len(missing) > 0:
        root.innerHTML = (
            '<div class="tt-unsupported"><h2>This browser cannot run TimeTagger</h2>'
            + "<p>Please use a recent version of Firefox, Chrome, Safari or Edge.</p>"
            + "<p>Missing: "
            + ", ".join(missing)
            + "</p></div>"
        )
        return None
    if kind == "demo":
        store = stores.DemoDataStore()
    elif kind == "sandbox":
        store = stores.SandboxDataStore()
    else:
        store = stores.ConnectedDataStore()
    theme.start()
    app = App(store, kind, root)
    window.ttapp = app
    pwa.on_message(app.actions.on_worker_message)
    pwa.on_update(app.on_new_version)
    app.actions.resume_pomodoro()
    if kind == "app":
        # (The connected store renews the web token itself, PG-11.)
        pwa.register_service_worker()
        pwa.check_updated(app.actions.open_changes)  # SY-23
    else:

        def show_info():
            if kind == "demo":
                title = "Welcome to the demo"
                text = DEMO_TEXT
            else:
                title = "Welcome to the sandbox"
                text = SANDBOX_TEXT
            notificationdialog.NotificationDialog(app).open(title, text)

        window.setTimeout(show_info, 200)
    return app


# %% Actions


class Actions:
    """What buttons, keys and dialogs can ask the app to do."""

    def __init__(self, app):
        self.app = app

    def _later(self, callback):
        """Run ``callback`` (which opens a dialog) now, or once the dialogs have
        loaded (the first time); a request while they load is dropped (the dialog
        asked for first is about to open), a failed load is told in a dialog."""
        if lazy.is_loading():
            return
        lazy.run(callback, self._load_failed)

    def _load_failed(self, err):
        window.console.warn(err)
        notificationdialog.NotificationDialog(self.app).open(
            "Not loaded",
            "<p>This part of the app could not be loaded. Check the connection and "
            "try again.</p>",
            None,
            "warning",
        )

    # Records (RC-02, RC-03, RC-05, RC-06, RC-08)

    def _can_write(self):
        store = self.app.store
        return store.can_use() and not store.is_read_only

    def start_record(self, *args):
        if not self._can_write():
            return
        self._later(lambda: recorddialog.start_record(self.app, ""))

    def resume_record(self, *args):
        if not self._can_write():
            return
        self._later(lambda: recorddialog.resume_record(self.app))

    def stop_all(self, *args):
        """Stop every running record now, at least 2 s long (RC-05)."""
        if not self._can_write():
            return
        self.stop_all_at(Math.floor(dt.now()))

    def stop_all_at(self, t):
        records = self.app.store.records
        for r in records.get_running_records():
            r.t2 = max(r.t1 + 2, t)
            records.put(r)
        self._after_stop()
        self.app.request_redraw()

    def new_record(self, record):
        """A record made by dragging on the timeline (RC-06): the New dialog."""
        if not self._can_write():
            return
        self._later(
            lambda: recorddialog.RecordDialog(self.app).open(
                "new", record, self._after_dialog
            )
        )

    def edit_record(self, record):
        self._later(
            lambda: recorddialog.RecordDialog(self.app).open(
                "edit", record, self._after_dialog
            )
        )

    def _after_dialog(self, value):
        self.app.request_redraw()

    def record_started(self, record):
        """After Start or Resume: the running-timer notification (TP-08) and a work
        period of the pomodoro when it is on (TP-06)."""

        def started():
            notify.record_started(record)
            if settings.get("pomodoro_enabled"):
                pomodorodialog.get(self.app).start("work")

        self._later(started)
        self.app.request_redraw()

    def record_stopped(self, record):
        self._after_stop()
        self.app.request_redraw()

    def _after_stop(self):
        # (A pomodoro or a notification exists only once the dialogs are loaded.)
        if self.app.pomodoro:
            self.app.pomodoro.reset()
        if lazy.is_loaded():
            notify.close_running()

    def resume_pomodoro(self):
        """At start-up: a pomodoro saved while running goes on (loads the dialogs)."""
        if not settings.get("pomodoro_enabled"):
            return
        try:
            saved = window.JSON.parse(
                window.localStorage.getItem("timetagger_pomodoro") or "null"
            )
        except Exception:
            saved = None
        if saved and (saved.state == "work" or saved.state == "break"):
            self._later(lambda: pomodorodialog.get(self.app))

    def on_worker_message(self, data):
        """A notification's button, relayed by the service worker (TP-09)."""
        if not data or data.type != "notificationclick":
            return
        action = data.action
        if action == "stop":
            self.stop_all()
        elif (action == "work" or action == "break") and settings.get(
            "pomodoro_enabled"
        ):
            self._later(lambda: pomodorodialog.get(self.app).start(action))

    # Navigation (TL-08 .. TL-11)

    def step_backward(self, *args):
        r = self.app.get_range()
        n = timescale.step_range(r[0], r[1], -1)
        self.app.animate_range(n[0], n[1], False)

    def step_forward(self, *args):
        r = self.app.get_range()
        n = timescale.step_range(r[0], r[1], 1)
        self.app.animate_range(n[0], n[1], False)

    def zoom_in(self, *args):
        self._zoom(1)

    def zoom_out(self, *args):
        self._zoom(-1)

    def _zoom(self, direction):
        r = self.app.get_range()
        n = timescale.zoom_range(
            r[0], r[1], direction, dt.now(), self.app.first_day_of_week()
        )
        self.app.animate_range(n[0], n[1], False)

    def show_today(self, *args):
        app = self.app
        n = timescale.today_toggle(
            app.get_range(),
            dt.now(),
            app.setting("today_snap_offset"),
            app.setting("today_end_offset"),
        )
        app.animate_range(n[0], n[1], False)
        return True

    def show_now(self, *args):
        r = self.app.get_range()
        n = timescale.current_period(r[0], r[1], dt.now(), self.app.first_day_of_week())
        self.app.animate_range(n[0], n[1], False)

    def show_period(self, unit):
        n = timescale.period_range(dt.now(), unit, self.app.first_day_of_week())
        self.app.animate_range(n[0], n[1], False)

    # Dialogs

    def open_menu(self, *args):
        self._later(lambda: menudialog.MenuDialog(self.app).open())

    def open_time_range(self, *args):
        self._later(lambda: timerangedialog.TimeRangeDialog(self.app).open())

    def open_report(self, *args):
        self._later(lambda: reportdialog.ReportDialog(self.app).open())

    def open_pomodoro(self, *args):
        self._later(lambda: pomodorodialog.PomodoroDialog(self.app).open())

    def open_search(self, *args):
        self._later(lambda: searchdialog.SearchDialog(self.app).open())

    def open_help(self, *args):
        """The keyboard shortcuts (key ?)."""
        self.app.help_opened = True
        self._later(lambda: helpdialog.HelpDialog(self.app).open())

    def open_guide(self, *args):
        """The guide (key i, the help button; SK-09)."""
        self.app.help_opened = True
        self._later(lambda: guidedialog.GuideDialog(self.app).open("guide"))

    def open_changes(self, *args):
        """The release notes of this version (SY-23)."""
        self._later(lambda: guidedialog.GuideDialog(self.app).open("changes"))

    def show_sync_status(self, *args):
        notificationdialog.show_sync_status(self.app)

    def configure_tags(self, tag_list):
        """The tag dialog for one tag, the combination dialog for several."""
        real = [t for t in tag_list if t != tags.UNTAGGED]
        if len(real) == 1:
            self._later(
                lambda: tagdialogs.TagDialog(self.app).open(real[0], self._after_dialog)
            )
        elif len(real) > 1:
            self._later(
                lambda: tagdialogs.TagComboDialog(self.app).open(
                    " ".join(real), self._after_dialog
                )
            )
        elif len(tag_list) == 1:
            self._later(
                lambda: tagdialogs.TagDialog(self.app).open(
                    tag_list[0], self._after_dialog
                )
            )


# %% The app


class App:
    """The app object (see the module docstring and docs/client.md)."""

    def __init__(self, store, kind, root):
        self.store = store
        self.kind = kind
        self.root = root
        self.selected_tags = []
        self.help_opened = False
        self.pomodoro = None  # made on first use (dialogs/pomodorodialog.py)
        self.new_version = ""  # a new version took over: the menu says so (SY-23)
        self.actions = Actions(self)
        self.is_touch = bool(
            window.matchMedia and window.matchMedia("(pointer: coarse)").matches
        )
        now = dt.now()
        r = timescale.plain_day_range(now)  # TL-04
        self._range = [r[0], r[1]]
        self._anim = None
        self._last_set = 0
        self._panel = "timeline"  # shown on narrow screens
        self._logged_out = None
        self._redraw_pending = False
        self._notices_shown = 0
        self.scheduler = canvas.Scheduler(self._draw)
        self._build()
        store.on_change(self._on_store_change)
        settings.on_change(self._on_setting_change)
        theme.on_change(self._on_theme_change)
        window.document.addEventListener("keydown", self._on_key)
        window.addEventListener("resize", self._relayout)
        window.addEventListener("hashchange", self._check_hash)
        window.setTimeout(self._check_hash, 1000)  # TL-15
        if window.ResizeObserver:
            window.ResizeObserver(self._relayout).observe(self.root)
        self._apply_width_mode()
        self._relayout()
        self.scheduler.start()
        self.request_redraw()

    def _build(self):
        root = self.root
        root.innerHTML = ""
        root.classList.add("ttapp")
        root.classList.add("kind-" + self.kind)
        band = markup.el("header", "tt-band")
        row = markup.el("nav", "tt-row")
        row.setAttribute("aria-label", "Timeline controls")
        panels = markup.el("main", "tt-panels")
        self.tab_left = markup.el("button", "tt-tab tt-tab-left", "Timeline")
        self.tab_right = markup.el("button", "tt-tab tt-tab-right", "Overview")
        self.tab_left.setAttribute("type", "button")
        self.tab_right.setAttribute("type", "button")
        self.tab_left.addEventListener("click", lambda e: self.show_panel("timeline"))
        self.tab_right.addEventListener("click", lambda e: self.show_panel("overview"))
        tl_panel = markup.el("section", "tt-panel tt-panel-timeline")
        tl_panel.setAttribute("aria-label", "Timeline")
        tl_panel.appendChild(markup.el("div", "tt-panel-title", "Timeline"))
        tl_box = markup.el("div", "tt-canvas-box")
        tl_panel.appendChild(tl_box)
        self._add_drag_hint(tl_box)
        ov_panel = markup.el("section", "tt-panel tt-panel-overview")
        ov_panel.setAttribute("aria-label", "Overview")
        panels.appendChild(self.tab_left)
        panels.appendChild(tl_panel)
        panels.appendChild(ov_panel)
        panels.appendChild(self.tab_right)
        self.logged_out_node = markup.el("div", "tt-loggedout")
        root.appendChild(band)
        root.appendChild(row)
        root.appendChild(panels)
        root.appendChild(self.logged_out_node)
        self.panels = panels
        self.topbar = topbar.TopBar(self, band, row)
        self.timeline = timeline.Timeline(self, tl_box)
        self.overview = overview.Overview(self, ov_panel)
        self.canvas = self.timeline.node  # dialogs give the focus back to it

        def get_install_prompt():
            if pwa.can_install():
                return {"prompt": pwa.install}
            return None

        window.Object.defineProperty(
            self, "install_prompt", {"get": get_install_prompt}
        )

    def on_new_version(self, version):
        self.new_version = version
        self.request_redraw()

    def _add_drag_hint(self, box):
        """TL-21: a faint up/down arrow beside the column, shown (by CSS) while the
        mouse is over the timeline or for a moment after it is touched."""
        hint = markup.el("div", "tt-drag-hint", icons.icon("updown"))
        hint.setAttribute("aria-hidden", "true")
        box.appendChild(hint)
        timer = {"id": 0}

        def touched(e):
            if e.pointerType == "mouse":
                return
            box.classList.add("tt-touched")
            window.clearTimeout(timer.id)
            timer.id = window.setTimeout(
                lambda: box.classList.remove("tt-touched"), 2500
            )

        box.addEventListener("pointerdown", touched, True)

    # %% Settings the drawing needs

    def setting(self, key):
        return settings.peek(key)

    def first_day_of_week(self):
        value = settings.peek("first_day_of_week")
        return 1 if value is None or value is undefined else int(value)

    def duration_repr(self):
        return settings.peek("duration_repr") or "hms"

    def use_ampm(self):
        mode = settings.peek("time_repr")
        if mode == "ampm":
            return True
        if mode == "24h":
            return False
        if self._auto_ampm is undefined:
            text = window.Date(2020, 0, 1, 15, 0).toLocaleTimeString()
            self._auto_ampm = RegExp("am|pm", "i").test(text)
        return self._auto_ampm

    # %% The range (TL-04, TL-06)

    def get_range(self):
        """The target range: where the timeline is or is going."""
        if self._anim is not None:
            return list(self._anim.target)
        return list(self._range)

    def get_displayed_range(self):
        """The range drawn in this frame (differs from the target while animating)."""
        return self._range

    def is_animating(self):
        return self._anim is not None

    def is_moving(self):
        """Whether the range is changing: animating, dragged, or set in the last
        quarter second (the overview defers its full update until it stops)."""
        if self._anim is not None or self.timeline.gesture is not None:
            return True
        return canvas.perf_seconds() - self._last_set < 0.25

    def _clamp(self, t1, t2):
        length = max(MIN_RANGE, min(MAX_RANGE, t2 - t1))
        centre = 0.5 * (t1 + t2)
        t1 = centre - 0.5 * length
        return [t1, t1 + length]

    def set_range(self, t1, t2):
        """Jump to a range at once (cancels an animation)."""
        r = self._clamp(t1, t2)
        self._anim = None
        self._range = r
        self._last_set = canvas.perf_seconds()
        self.request_redraw()

    def animate_range(self, t1, t2, snap=True):
        """Move to a range with an animation; with ``snap``, snap when arrived."""
        if snap is undefined:
            snap = True
        target = self._clamp(t1, t2)
        start = list(self._range)
        self._anim = {
            "source": start,
            "target": target,
            "t0": canvas.perf_seconds(),
            "duration": timescale.animation_duration(start, target),
            "snap": snap,
        }
        self.request_redraw()

    def stop_animation(self):
        """Freeze at the displayed range (a press on the timeline)."""
        self._anim = None

    def snap(self):
        r = self._range
        s = timescale.snap_range(r[0], r[1], self.first_day_of_week())
        if abs(s[0] - r[0]) > 0.5 or abs(s[1] - r[1]) > 0.5:
            self.animate_range(s[0], s[1], False)
        else:
            self.request_redraw()

    def _advance_animation(self):
        a = self._anim
        if a is None:
            return
        f = (canvas.perf_seconds() - a.t0) / max(0.01, a.duration)
        if f >= 1:
            self._range = list(a.target)
            self._anim = None
            if a.snap:
                self.snap()
        else:
            self._range = timescale.interpolate_range(
                a.source, a.target, timescale.ease(f)
            )
            self.request_redraw()

    # %% The tag filter (TL-23)

    def select_tags(self, tag_list):
        changed = False
        for tag in tag_list:
            if tag and tag not in self.selected_tags:
                self.selected_tags.append(tag)
                changed = True
        if changed:
            self.request_redraw()

    def unselect_tag(self, tag):
        i = self.selected_tags.indexOf(tag)
        if i >= 0:
            self.selected_tags.splice(i, 1)
            self.request_redraw()

    def clear_selection(self):
        if len(self.selected_tags) > 0:
            self.selected_tags = []
            self.request_redraw()

    # %% Drawing

    def request_redraw(self, *args):
        self.scheduler.request()

    def _draw(self):
        self._advance_animation()
        usable = self.store.can_use()
        if usable != (not self._logged_out):
            self._logged_out = not usable
            self.root.classList.toggle("logged-out", not usable)
            if not usable:
                topbar.build_logged_out(self, self.logged_out_node)
            self._relayout()
        if not usable:
            return
        self.timeline.draw()
        self.topbar.update()
        self.overview.update()

    def _on_store_change(self, what):
        if what == "notice" or what == "state":
            self._show_notices()
        if what == "records":
            self.timeline.invalidate()
            self.overview.invalidate()
        elif what == "settings":
            self.timeline.invalidate()
            self.overview.invalidate()
        self.request_redraw()

    def _show_notices(self):
        """Server notices (SY-06): each new one in a notification dialog; a read-only
        account marks the page, which greys out the dialogs' action buttons."""
        store = self.store
        window.document.body.classList.toggle("is_read_only", bool(store.is_read_only))
        notices = store.notices or []
        while self._notices_shown < len(notices):
            notice = notices[self._notices_shown]
            self._notices_shown += 1
            title = "Read-only account" if store.is_read_only else "Server notice"
            if notice.kind and notice.kind.toLowerCase() != "readonly":
                title = notice.kind
            notificationdialog.NotificationDialog(self).open(
                title, "<p>" + markup.escape(notice.message) + "</p>", None, "warning"
            )

    def _on_setting_change(self, key):
        if key == "width_mode":
            self._apply_width_mode()
            self._relayout()
        self.timeline.invalidate()
        self.overview.invalidate()
        self.request_redraw()

    def _on_theme_change(self, name):
        self.overview.invalidate()
        self.request_redraw()

    # %% Layout (TL-02, ST-10)

    def _apply_width_mode(self):
        mode = str(settings.peek("width_mode") or "auto")
        for m in ["auto", "1000", "1500", "full"]:
            self.root.classList.toggle("width-" + m, m == mode)

    def _relayout(self, *args):
        width = self.panels.clientWidth
        narrow = width < NARROW_PANELS
        self.root.classList.toggle("narrow", narrow)
        self.root.classList.toggle(
            "show-overview", narrow and self._panel == "overview"
        )
        self.topbar.relayout()
        self.timeline.check_size()
        self.request_redraw()

    def show_panel(self, name):
        """Which panel a narrow screen shows: "timeline" or "overview"."""
        self._panel = name
        self._relayout()

    # %% Keys (SK-05) and the #date= hash (TL-15)

    def _on_key(self, e):
        if e.ctrlKey or e.metaKey or e.altKey or e.defaultPrevented:
            return
        target = e.target
        if target and target is not window.document.body:
            tag = (target.tagName or "").toLowerCase()
            if tag == "input" or tag == "textarea" or tag == "select":
                return
            if target.isContentEditable:
                return
        if basedialog.is_open():
            return
        if not self.store.can_use():
            return
        key = e.key
        a = self.actions
        handled = True
        if key == "ArrowUp" or key == "PageUp":
            a.step_backward()
        elif key == "ArrowDown" or key == "PageDown":
            a.step_forward()
        elif key == "ArrowLeft":
            a.zoom_out()
        elif key == "ArrowRight":
            a.zoom_in()
        elif key == "n" or key == "N" or key == "Home" or key == "End":
            a.show_now()
        elif key == "d" or key == "D":
            a.show_today()
        elif key == "w" or key == "W":
            a.show_period("1W")
        elif key == "m" or key == "M":
            a.show_period("1M")
        elif key == "q" or key == "Q":
            a.show_period("3M")
        elif key == "y" or key == "Y":
            a.show_period("1Y")
        elif key == "t" or key == "T":
            a.open_time_range()
        elif key == "S" or (key == "s" and e.shiftKey):
            a.resume_record()
        elif key == "s":
            a.start_record()
        elif key == "x" or key == "X":
            a.stop_all()
        elif key == "r" or key == "R":
            a.open_report()
        elif key == "f" or key == "F":
            a.open_search()
        elif key == "i" or key == "I":
            a.open_guide()
        elif key == "?":
            a.open_help()
        elif key == "Backspace":
            self.clear_selection()
        elif key == "Escape":
            handled = self.timeline.cancel_selection()
        else:
            handled = False
        if handled:
            e.preventDefault()

    def _check_hash(self, *args):
        text = window.location.hash or ""
        m = RegExp("date=([0-9]{4}-[0-9]{2}-[0-9]{2})").exec(text)
        if not m:
            return
        t = dt.parse_datetime(m[1])
        if t is None:
            return
        t1 = dt.floor(t, "1D")
        self.animate_range(t1, dt.add(t1, "1D"), False)
        if window.history and window.history.replaceState:
            url = window.location.pathname + window.location.search
            window.history.replaceState(window.history.state, "", url)
