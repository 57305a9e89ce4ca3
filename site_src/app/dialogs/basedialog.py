"""The dialog machinery: ``BaseDialog`` and the stack of open dialogs (SK-08, SK-06,
TL-15).

Opening a dialog puts it on the stack and hides the one below until it closes. The
module owns the backdrop (dimmed for normal dialogs, transparent for popups), the keys
every dialog shares (Escape closes the top one, Tab stays inside it), the browser Back
button closing the top dialog, window blur closing popups, focus returning to where it
was when the last dialog closes, and the fade-in. A "soft" close (backdrop click, Back,
window blur) calls ``soft_close()``; dialogs with unsaved edits override it to ask
first (quirk 17). Escape, the close button and Cancel are explicit and close at once.

Each dialog lives in a module of its own in this folder; they build their HTML with
``html`` (the one escaper) and ``icons``.
"""

from pscript import window

from ..core import icons, markup

_stack = []  # open dialogs, top last
_state = {
    "listening": False,
    "focus_before": None,  # element focused before the first dialog opened
    "history_pushed": False,  # our marker entry is on top of the history
    "ignore_pops": 0,  # popstate events caused by our own history.back()
    "counter": 0,
}


def is_desktop():
    """Desktop-like screen (at least 800 px wide): auto-focus, key hints."""
    return window.screen.width >= 800


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
    found = markup.query_all(
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
        layer = markup.el(
            "div", "tt-dialog-layer" + (" tt-popup-layer" if self.is_popup else "")
        )
        node = markup.el("div", "tt-dialog" + (" tt-popup" if self.is_popup else ""))
        if self.css_class:
            node.className += " " + self.css_class
            layer.className += " " + self.css_class + "-layer"
        node.setAttribute("role", "dialog")
        node.setAttribute("aria-modal", "true")
        node.setAttribute("tabindex", "-1")
        title_id = _new_id("tt-dialog-title-")
        if not self.is_popup:
            header = markup.el("header", "tt-dialog-header")
            header.innerHTML = (
                (icons.icon(icon_name, "tt-title-icon") if icon_name else "")
                + '<h2 id="'
                + title_id
                + '"></h2>'
                + '<button type="button" class="tt-close" aria-label="Close" title="Close (Esc)">'
                + icons.icon("close")
                + "</button>"
            )
            node.appendChild(header)
            self.title_node = header.querySelector("h2")
            header.querySelector(".tt-close").onclick = lambda e: self.close()
            node.setAttribute("aria-labelledby", title_id)
        else:
            node.setAttribute("aria-label", title)
        body = markup.el("div", "tt-dialog-body")
        node.appendChild(body)
        footer = markup.el("div", "tt-dialog-footer")
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
