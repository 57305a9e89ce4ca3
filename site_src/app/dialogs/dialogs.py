"""Dialogs: the shared dialog machinery and the small dialogs of the app.

Owns (SK-08, SK-06, TL-15): ``BaseDialog``, the stack of open dialogs (opening one hides
the one below until it closes), the backdrop (dimmed for normal dialogs, transparent for
popups), Escape, Tab kept inside the top dialog, the browser Back button closing the top
dialog, window blur closing popups, focus returning to where it was when the last dialog
closes, and the fade-in. Also ``NotificationDialog`` (sync status and errors, TL-24),
``MenuDialog`` (TL-29), ``TimeRangeDialog`` (TL-12) and helpers other dialog modules
use: ``icon``, ``escape_html``, ``tag_html``, ``get_setting``, ``is_desktop``.

A "soft" close (backdrop click, Back, window blur) calls ``soft_close()``; dialogs with
unsaved edits override it to ask first (quirk 17). Escape, the close button and Cancel
are explicit and close at once. Pure helpers (``preset_range``, ``range_to_dates``,
``dates_to_range``, ``menu_entries``) have no DOM and are tested in node.
"""

from pscript import window

from ..core import dt, tags

DEFAULT_TAG_COLOR = "#DEAA22"

_stack = []  # open dialogs, top last
_state = {
    "listening": False,
    "focus_before": None,  # element focused before the first dialog opened
    "history_pushed": False,  # our marker entry is on top of the history
    "ignore_pops": 0,  # popstate events caused by our own history.back()
    "counter": 0,
}

# %% Icons: small hand-drawn SVG paths on a 24x24 grid (stroke unless noted).

_ICON_PATHS = {
    "close": "M6 6L18 18M18 6L6 18",
    "play": "F:M8 5L19 12L8 19Z",
    "stop": "F:M6 6H18V18H6Z",
    "plus": "M12 5V19M5 12H19",
    "pencil": "M4 20V16L15 5L19 9L8 20ZM13 7L17 11",
    "hourglass": "M7 3H17M7 21H17M8 3V5L12 12L8 19V21M16 3V5L12 12L16 19V21",
    "trash": "M5 7H19M10 4H14M7 7L8 20H16L17 7M10 11V17M14 11V17",
    "warning": "M12 3L22 20H2ZM12 10V14M12 17V17.5",
    "chevron": "M7 10L12 15L17 10",
    "calendar": "M5 6H19V20H5ZM5 10H19M9 3V7M15 3V7",
    "menu": "M4 7H20M4 12H20M4 17H20",
    "search": "M10.5 4.5A6 6 0 1 0 10.5 16.5A6 6 0 1 0 10.5 4.5ZM15 15L20 20",
    "import": "M12 15V4M7 9L12 4L17 9M5 20H19",
    "export": "M12 4V15M7 10L12 15L17 10M5 20H19",
    "settings": "M4 7H11M15 7H20M4 17H7M11 17H20M13 5V9M9 15V19",
    "user": "M12 4A4 4 0 1 0 12 12A4 4 0 1 0 12 4ZM4 21C4 17 8 15 12 15S20 17 20 21",
    "login": "M10 17L15 12L10 7M15 12H3M14 4H19V20H14",
    "logout": "M14 17L19 12L14 7M19 12H8M10 4H5V20H10",
    "home": "M4 11L12 4L20 11M6 10V20H18V10",
    "keyboard": "M3 6H21V18H3ZM7 10H7.01M11 10H11.01M15 10H15.01M7 14H17",
    "clock": "M12 3A9 9 0 1 0 12 21A9 9 0 1 0 12 3ZM12 7V12L15 15",
    "resume": "M4.5 13A8 8 0 1 0 7 6.3M4 3V8H9",
    "tag": "M3 12V4H11L21 14L13 22ZM7.5 6.5V8.5",
    "info": "M12 3A9 9 0 1 0 12 21A9 9 0 1 0 12 3ZM12 11V17M12 7.5V8",
    "check": "M5 12L10 17L19 7",
    "book": "M4 5C7 4 10 4 12 6C14 4 17 4 20 5V19C17 18 14 18 12 20C10 18 7 18 4 19ZM12 6V20",
    "download": "M12 3V15M7 10L12 15L17 10M4 21H20",
    "table": "M4 5H20V19H4ZM4 10H20M4 14.5H20M10 5V19",
}


def icon(name, extra_class=""):
    """An inline SVG icon (``currentColor``); unknown names give an empty string."""
    d = _ICON_PATHS[name]
    if not d:
        return ""
    cls = "tt-icon" + (" " + extra_class if extra_class else "")
    if d.startswith("F:"):
        paint = 'fill="currentColor" stroke="none"'
        d = d[2:]
    else:
        paint = (
            'fill="none" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round" stroke-linejoin="round"'
        )
    return (
        '<svg class="'
        + cls
        + '" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path '
        + paint
        + ' d="'
        + d
        + '"/></svg>'
    )


# %% Small helpers


def escape_html(text):
    """Text made safe to put in HTML (element content and quoted attributes)."""
    s = str(text if text is not None else "")
    s = s.split("&").join("&amp;").split("<").join("&lt;").split(">").join("&gt;")
    return s.split('"').join("&quot;").split("'").join("&#39;")


def query_all(node, selector):
    """``querySelectorAll`` as a real array (PScript's ``for`` needs arrays)."""
    return window.Array.prototype.slice.call(node.querySelectorAll(selector))


def is_desktop():
    """Desktop-like screen (at least 800 px wide): auto-focus, key hints."""
    return window.screen.width >= 800


def get_setting(key, fallback=None):
    """A setting through the ``settings`` module when the page has it."""
    if window.settings and window.settings.get:
        value = window.settings.get(key)
        if value is not None and value is not undefined:
            return value
    return fallback


def set_setting(key, value):
    if window.settings and window.settings.set:
        window.settings.set(key, value)
        return True
    return False


def tag_color(tag):
    if window.taginfo and window.taginfo.get_tag_color:
        return window.taginfo.get_tag_color(tag) or DEFAULT_TAG_COLOR
    return DEFAULT_TAG_COLOR


def tag_html(tag):
    """A tag as HTML with its ``#`` in the tag colour."""
    return (
        '<span class="tt-tag"><b style="color:'
        + escape_html(tag_color(tag))
        + '">#</b>'
        + escape_html(tag[1:])
        + "</span>"
    )


def description_html(ds):
    """A description as HTML, tags with coloured ``#``."""
    parts = tags.split_description(ds or "")[1]
    html = ""
    for part in parts:
        if part.startswith("#"):
            html += tag_html(part)
        else:
            html += escape_html(part)
    return html


def duration_repr():
    return get_setting("duration_repr", "hms")


def _new_id(prefix):
    _state.counter += 1
    return prefix + str(_state.counter)


def is_open():
    """Whether any dialog is open (the app ignores its global keys then)."""
    return len(_stack) > 0


def top_dialog():
    return _stack[-1] if len(_stack) > 0 else None


def close_all():
    """Close every open dialog (explicitly, no questions asked)."""
    while len(_stack) > 0:
        _stack[-1].close()


# %% Global listeners: keys, Back, window blur


def _install_listeners():
    if _state.listening:
        return
    _state.listening = True
    window.document.addEventListener("keydown", _on_document_key, False)
    window.addEventListener("popstate", _on_popstate, False)
    window.addEventListener("blur", _on_window_blur, False)


def _on_document_key(e):
    dialog = top_dialog()
    if dialog is None:
        return
    if e.defaultPrevented:  # handled: the autocompletion closed its dropdown, ...
        return
    if e.timeStamp and dialog._shown_at and e.timeStamp <= dialog._shown_at:
        return  # the key that opened this dialog (e.g. "?") is not for it
    if e.key == "Escape" or e.key == "Esc":
        e.preventDefault()
        dialog.close()
    elif e.key == "Tab":
        _keep_focus_inside(dialog, e)
    else:
        dialog._on_key(e)


def _focusables(node):
    found = query_all(
        node,
        "a[href], button:not([disabled]), input:not([disabled]), "
        "select:not([disabled]), textarea:not([disabled]), [tabindex='0']",
    )
    res = []
    for el in found:
        if el.offsetParent is not None or el.getClientRects().length > 0:
            res.append(el)
    return res


def _keep_focus_inside(dialog, e):
    items = _focusables(dialog.node)
    if len(items) == 0:
        e.preventDefault()
        dialog.node.focus()
        return
    active = window.document.activeElement
    inside = dialog.node.contains(active)
    if e.shiftKey and (not inside or active is items[0] or active is dialog.node):
        e.preventDefault()
        items[-1].focus()
    elif not e.shiftKey and (not inside or active is items[-1]):
        e.preventDefault()
        items[0].focus()


def _push_history():
    """Make sure our marker entry is on top of the history, so that Back pops it
    instead of leaving the app (TL-15)."""
    if _state.history_pushed or _state.ignore_pops > 0:
        return  # a pending back() re-pushes when it lands (see _on_popstate)
    try:
        window.history.pushState({"tt_dialog": True}, "")
        _state.history_pushed = True
    except Exception:
        pass


def _pop_history():
    """Remove our marker entry after the last dialog closed by other means."""
    if not _state.history_pushed:
        return
    _state.history_pushed = False
    _state.ignore_pops += 1
    window.history.back()


def _on_popstate(e):
    if _state.ignore_pops > 0:
        _state.ignore_pops -= 1
        if len(_stack) > 0:
            _push_history()  # a dialog opened while our back() was under way
        return
    if not _state.history_pushed:
        return  # not ours (e.g. a hash change): leave it to the app
    _state.history_pushed = False  # the user pressed Back: our marker is gone
    dialog = top_dialog()
    if dialog is not None:
        dialog.soft_close("back")
    if len(_stack) > 0:
        _push_history()


def _on_window_blur(e):
    dialog = top_dialog()
    if dialog is None or not dialog.is_popup:
        return
    active = window.document.activeElement
    if active and dialog.node.contains(active) and active.type == "date":
        return  # the date picker of an input in the popup took the focus
    dialog.soft_close("blur")


# %% The base dialog


class BaseDialog:
    """Base of every dialog. Subclasses implement ``_create_dom()`` (fill
    ``self.body`` and optionally ``self.footer``), an ``open(...)`` that ends by
    calling ``self._show()``, and ``submit()`` when they have a submit action.

    ``self.node`` is the dialog box, ``self.layer`` the full-window backdrop holding
    it. ``close(value)`` removes the dialog and calls the callback given to
    ``_show``. Popups (``is_popup = True``) get a transparent backdrop, no title
    bar, and close when the window loses focus.
    """

    is_popup = False
    css_class = ""

    def __init__(self, app):
        self._app = app
        self.node = None
        self.layer = None
        self.body = None
        self.footer = None
        self.title_node = None
        self._callback = None
        self._is_shown = False
        self._shown_at = 0
        self._pointer_on_backdrop = False

    def _create_dom(self):
        """Subclasses fill ``self.body`` (and ``self.footer``)."""
        pass

    def _build_frame(self, title, icon_name=None):
        """Create the backdrop, the box, the title bar and the body."""
        layer = window.document.createElement("div")
        layer.className = "tt-dialog-layer" + (
            " tt-popup-layer" if self.is_popup else ""
        )
        node = window.document.createElement("div")
        node.className = "tt-dialog" + (" tt-popup" if self.is_popup else "")
        if self.css_class:
            node.className += " " + self.css_class
            layer.className += " " + self.css_class + "-layer"
        node.setAttribute("role", "dialog")
        node.setAttribute("aria-modal", "true")
        node.setAttribute("tabindex", "-1")
        title_id = _new_id("tt-dialog-title-")
        if not self.is_popup:
            header = window.document.createElement("header")
            header.className = "tt-dialog-header"
            header.innerHTML = (
                (icon(icon_name, "tt-title-icon") if icon_name else "")
                + '<h2 id="'
                + title_id
                + '"></h2>'
                + '<button type="button" class="tt-close" aria-label="Close" title="Close (Esc)">'
                + icon("close")
                + "</button>"
            )
            node.appendChild(header)
            self.title_node = header.querySelector("h2")
            header.querySelector(".tt-close").onclick = lambda e: self.close()
            node.setAttribute("aria-labelledby", title_id)
        else:
            node.setAttribute("aria-label", title)
        body = window.document.createElement("div")
        body.className = "tt-dialog-body"
        node.appendChild(body)
        footer = window.document.createElement("div")
        footer.className = "tt-dialog-footer"
        node.appendChild(footer)
        layer.appendChild(node)
        self.layer = layer
        self.node = node
        self.body = body
        self.footer = footer
        self.set_title(title)
        layer.addEventListener("pointerdown", self._on_layer_pointerdown, False)
        layer.addEventListener("click", self._on_layer_click, False)

    def set_title(self, title):
        if self.title_node:
            self.title_node.textContent = title
        elif self.node:
            self.node.setAttribute("aria-label", title)

    def _on_layer_pointerdown(self, e):
        self._pointer_on_backdrop = e.target is self.layer
        if self._pointer_on_backdrop:
            e.preventDefault()  # keep the focus where it is

    def _on_layer_click(self, e):
        # Only a press and release both on the backdrop count: a text selection
        # dragged out of the dialog must not close it.
        if e.target is self.layer and self._pointer_on_backdrop:
            self._pointer_on_backdrop = False
            self.soft_close("backdrop")

    def _show(self, callback=None):
        """Put the built dialog on top of the stack and show it."""
        self._callback = callback
        if len(_stack) == 0:
            _state.focus_before = window.document.activeElement
        else:
            _stack[-1].layer.classList.add("tt-hidden")  # SK-08: child hides parent
        _install_listeners()
        _stack.append(self)
        self.layer.style.zIndex = str(1000 + len(_stack))
        window.document.body.appendChild(self.layer)
        self._is_shown = True
        self._shown_at = window.performance.now()
        _push_history()
        self._focus_initial()

    def _focus_initial(self):
        """Focus the first input on desktop, else the dialog box itself."""
        target = None
        if is_desktop():
            target = self.node.querySelector("[data-autofocus]")
        if target:
            target.focus()
            if target.select and target.dataset.autofocus == "select":
                target.select()
        else:
            self.node.focus()

    def _on_key(self, e):
        """Keys other than Escape/Tab while this dialog is on top (subclasses)."""
        pass

    def soft_close(self, reason):
        """Backdrop click, Back or window blur. Default: close."""
        self.close()

    def close(self, value=None):
        """Close this dialog (and any dialog above it)."""
        if not self._is_shown:
            return
        while len(_stack) > 0 and _stack[-1] is not self:
            _stack[-1].close()
        self._is_shown = False
        if len(_stack) > 0 and _stack[-1] is self:
            _stack.pop(-1)
        self._on_close()
        if self.layer and self.layer.parentNode:
            self.layer.parentNode.removeChild(self.layer)
        if len(_stack) > 0:
            parent = _stack[-1]
            parent.layer.classList.remove("tt-hidden")
            parent._on_reshow()
        else:
            _pop_history()
            _restore_focus(self._app)
        callback = self._callback
        self._callback = None
        if callback:
            callback(value)

    def _on_close(self):
        """Cleanup hook for subclasses (timers, listeners)."""
        pass

    def _on_reshow(self):
        """Called when a child dialog closed and this one is on top again."""
        self.node.focus()

    def submit(self):
        self.close()


def _restore_focus(app):
    el = _state.focus_before
    _state.focus_before = None
    if el and el.isConnected and el is not window.document.body and el.focus:
        el.focus()
        return
    canvas = None
    if app and app.canvas and app.canvas.focus:
        canvas = app.canvas
    else:
        canvas = window.document.querySelector("canvas")
    if canvas:
        canvas.focus()


# %% Notification dialog (TL-24 sync status/error, server notices)


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
            + escape_html(text)
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


# %% Main menu (TL-29)


def _late_dialog(module_name, class_name):
    """A dialog class from a module that may not be loaded on this page."""
    mod = window[module_name]
    if mod and mod[class_name]:
        return mod[class_name]
    return None


def menu_entries(info):
    """The menu's sections from a plain description of the situation.

    ``info``: ``{kind, username, usable, logged_in, version, has: {search, import,
    export, settings, guide}, can_install}``. Returns ``{intro, sections: [[title,
    [[id, label, icon]]]], install}`` (pure, for tests).
    """
    kind = info.kind
    if kind == "demo":
        intro = "This is the demo: the records are generated and nothing is saved."
    elif kind == "sandbox":
        intro = "This is the sandbox: try anything, nothing is saved."
    elif info.username:
        intro = "Signed in as <b>" + escape_html(info.username) + "</b>"
    else:
        intro = "Not signed in"
    has = info.has or {}
    pages = [["home", "Homepage", "home"]]
    if has.guide:
        pages.append(["guide", "Guide", "book"])
    pages.append(["shortcuts", "Keyboard shortcuts", "keyboard"])
    sections = [["Pages and help", pages]]
    if info.usable:
        manage = []
        if has.search:
            manage.append(["search", "Search records", "search"])
        if has["import"]:
            manage.append(["import", "Import records", "import"])
        if has.export:
            manage.append(["export", "Export all records", "export"])
        if len(manage) > 0:
            sections.append(["Manage", manage])
    user = []
    if info.usable and has.settings:
        user.append(["settings", "Settings", "settings"])
    if kind == "connected" or kind == "" or kind is None:
        user.append(["account", "Account", "user"])
    if info.logged_in:
        user.append(["logout", "Log out", "logout"])
    else:
        user.append(["login", "Log in", "login"])
    sections.append(["User", user])
    return {"intro": intro, "sections": sections, "install": bool(info.can_install)}


class MenuDialog(BaseDialog):
    """The main menu: a popup at the top left (TL-29)."""

    is_popup = True
    css_class = "tt-menu"

    def _info(self):
        store = self._app.store
        kind = store.kind if store else ""
        username = store.username if store else ""
        usable = bool(store and (store.can_use() if store.can_use else True))
        return {
            "kind": kind,
            "username": username,
            "usable": usable,
            "logged_in": bool(kind == "connected" and username),
            "version": window.env.get_version() if window.env else "",
            "has": {
                "search": bool(_late_dialog("searchdialog", "SearchDialog")),
                "import": bool(_late_dialog("importdialog", "ImportDialog")),
                "export": bool(_late_dialog("exportdialog", "ExportDialog")),
                "settings": bool(_late_dialog("settingsdialog", "SettingsDialog")),
                "guide": bool(_late_dialog("guidedialog", "GuideDialog")),
            },
            "can_install": bool(self._app.install_prompt),
        }

    def open(self, callback=None):
        info = self._info()
        menu = menu_entries(info)
        self._build_frame("Menu")
        html = '<div class="tt-menu-intro">' + menu.intro + "</div>"
        for section in menu.sections:
            html += (
                '<div class="tt-menu-section"><h3>' + escape_html(section[0]) + "</h3>"
            )
            for entry in section[1]:
                href = self._href(entry[0])
                if href:
                    html += '<a class="tt-menu-item" href="' + escape_html(href) + '"'
                else:
                    html += '<a class="tt-menu-item" href="#" role="button"'
                html += ' data-entry="' + entry[0] + '">'
                html += (
                    icon(entry[2]) + "<span>" + escape_html(entry[1]) + "</span></a>"
                )
            html += "</div>"
        if menu.install:
            html += (
                '<a class="tt-menu-item tt-install" href="#" role="button" data-entry="install">'
                + icon("download")
                + "<span>Install this app</span></a>"
            )
        if info.version:
            html += (
                '<div class="tt-menu-version">Version '
                + escape_html(info.version)
                + "</div>"
            )
        self.body.innerHTML = html
        for el in query_all(self.body, "[data-entry]"):
            el.addEventListener("click", self._on_entry_click, False)
        self._show(callback)
        first = self.body.querySelector(".tt-menu-item")
        if first and is_desktop():
            first.focus()
        return self

    def _href(self, entry):
        root = window.env.site_root_url() if window.env else "../"
        if entry == "home":
            return root  # quirk 15: the site root, not an absolute "/"
        elif entry == "account":
            return root + "account"
        elif entry == "login":
            return root + "login"
        elif entry == "logout":
            return root + "logout"
        return ""

    def _on_entry_click(self, e):
        entry = e.currentTarget.dataset.entry
        if self._href(entry):
            return  # a real link: let the browser follow it
        e.preventDefault()
        app = self._app
        self.close()
        names = {
            "search": ["searchdialog", "SearchDialog"],
            "import": ["importdialog", "ImportDialog"],
            "export": ["exportdialog", "ExportDialog"],
            "settings": ["settingsdialog", "SettingsDialog"],
            "guide": ["guidedialog", "GuideDialog"],
            "shortcuts": ["helpdialog", "HelpDialog"],
        }
        if entry == "install":
            prompt = app.install_prompt
            if prompt and prompt.prompt:
                prompt.prompt()
            return
        pair = names[entry]
        if pair:
            Dialog = _late_dialog(pair[0], pair[1])  # capitalised: called with "new"
            if Dialog:
                Dialog(app).open()


# %% Time-range dialog (TL-12)

PRESETS = [
    ["today", "today", "d"],
    ["this_week", "this week", "w"],
    ["this_month", "this month", "m"],
    ["this_quarter", "this quarter", "q"],
    ["this_year", "this year", "y"],
    ["yesterday", "yesterday", ""],
    ["last_week", "last week", ""],
    ["last_month", "last month", ""],
    ["last_quarter", "last quarter", ""],
    ["last_year", "last year", ""],
]

_PRESET_UNITS = {
    "today": ["1D", 0],
    "this_week": ["1W", 0],
    "this_month": ["1M", 0],
    "this_quarter": ["3M", 0],
    "this_year": ["1Y", 0],
    "yesterday": ["1D", -1],
    "last_week": ["1W", -1],
    "last_month": ["1M", -1],
    "last_quarter": ["3M", -1],
    "last_year": ["1Y", -1],
}


def preset_range(name, now, first_day_of_week=1):
    """``[t1, t2]`` of a preset (``"today"``, ``"last_week"``, ...) around ``now``."""
    pair = _PRESET_UNITS[name]
    if not pair:
        raise ValueError("unknown time-range preset " + repr(name))
    unit = pair[0]
    t1 = dt.floor(now, unit, first_day_of_week)
    if pair[1] != 0:
        t1 = dt.add(t1, unit, pair[1])
    return [t1, dt.add(t1, unit)]


def range_to_dates(t1, t2):
    """The From/To date texts (``YYYY-MM-DD``, inclusive end) of a range."""
    end = max(t1, t2 - 1)
    return [dt.format_isodate(dt.day_start(t1)), dt.format_isodate(end)]


def dates_to_range(from_text, to_text):
    """``[t1, t2]`` from From/To date texts: From 00:00 to the day after To; swapped
    when reversed; ``None`` while either date is incomplete."""
    a = dt.parse_ymd(from_text)
    b = dt.parse_ymd(to_text)
    if a is None or b is None:
        return None
    t1 = dt.make_time(a[0], a[1], a[2])
    t2 = dt.make_time(b[0], b[1], b[2])
    if t2 < t1:
        t1, t2 = t2, t1
    return [t1, dt.add(t2, "1D")]


class TimeRangeDialog(BaseDialog):
    """Pick the visible range: presets, or From/To dates (TL-12)."""

    is_popup = True
    css_class = "tt-timerange"

    def open(self, callback=None):
        self._build_frame("Select time range")
        html = '<div class="tt-presets" role="group" aria-label="Presets">'
        show_keys = is_desktop()
        for preset in PRESETS:
            html += (
                '<button type="button" class="tt-preset" data-preset="'
                + preset[0]
                + '">'
            )
            html += escape_html(preset[1])
            if show_keys and preset[2]:
                html += " <kbd>" + preset[2] + "</kbd>"
            html += "</button>"
        html += "</div>"
        html += (
            '<div class="tt-daterange">'
            '<label><span>From</span><input type="date" class="tt-from"></label>'
            '<label><span>To</span><input type="date" class="tt-to"></label>'
            '<button type="button" class="tt-btn tt-primary tt-done">Done</button>'
            "</div>"
        )
        self.body.innerHTML = html
        self._from = self.body.querySelector(".tt-from")
        self._to = self.body.querySelector(".tt-to")
        r = self._app.get_range()
        dates = range_to_dates(r[0], r[1])
        self._from.value = dates[0]
        self._to.value = dates[1]
        for el in query_all(self.body, "[data-preset]"):
            el.addEventListener("click", self._on_preset, False)
        self._from.addEventListener("input", self._on_date, False)
        self._to.addEventListener("input", self._on_date, False)
        self._from.addEventListener("change", self._on_date, False)
        self._to.addEventListener("change", self._on_date, False)
        self.body.querySelector(".tt-done").onclick = lambda e: self.close()
        self._show(callback)
        first = self.body.querySelector(".tt-preset")
        if first and is_desktop():
            first.focus()
        return self

    def _on_key(self, e):
        if e.key == "Enter" and e.target and e.target.type == "date":
            e.preventDefault()
            self.close()

    def _on_preset(self, e):
        name = e.currentTarget.dataset.preset
        fdow = get_setting("first_day_of_week", 1)
        r = preset_range(name, dt.now(), fdow)
        dates = range_to_dates(r[0], r[1])
        self._from.value = dates[0]
        self._to.value = dates[1]
        self._app.animate_range(r[0], r[1])
        self.close()

    def _on_date(self, e):
        r = dates_to_range(self._from.value, self._to.value)
        if r is None:
            return
        self._app.animate_range(r[0], r[1], False)
