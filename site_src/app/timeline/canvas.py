"""The canvas base of the app (TL-01) and its tooltips (TL-30).

* ``Scheduler``: one animation-frame loop for the whole app. ``request()`` asks for a
  frame; besides that it ticks exactly on every whole second (of ``dt.now()``) so
  running clocks and the now marker advance smoothly, and pauses while the page is
  hidden.
* ``CanvasWidget``: a ``<canvas>`` filling its container, sharp on high-DPI screens
  (the backing store follows device pixels, drawing is scaled by the pixel ratio).
  Pointer input is normalised from Pointer Events (mouse, pen and touch alike) into
  ``on_press`` / ``on_drag`` / ``on_release`` / ``on_hover`` calls with positions in
  CSS pixels and the list of active pointers; wheel input becomes ``on_wheel`` with
  deltas in pixels (lines x16, pages x600), captured only for gestures that started
  over the canvas and never with Ctrl held (browser zoom). The canvas takes keyboard
  focus when pressed; the context menu is suppressed unless Ctrl is held.
* Tooltips: after 400 ms of mouse hover over a region (desktop-like screens only), a
  small label fades in beside it; hidden on press and while dragging.
  ``attach_tooltip(element, text)`` gives HTML buttons the same tooltips.
"""

from pscript import window

from ..core import dt

TOOLTIP_DELAY = 0.4  # seconds
WHEEL_GESTURE_GAP = 0.5  # wheel events closer than this belong to one gesture


def is_desktop_like():
    """Screens at least 800 px wide (spec: auto-focus, tooltips, key hints)."""
    return (window.screen and window.screen.width or 0) >= 800


def perf_seconds():
    return window.performance.now() / 1000


def round_rect(ctx, x, y, w, h, r):
    """Add a rounded rectangle path (radius clipped to the size) to ``ctx``."""
    r = max(0, min(r, 0.5 * w, 0.5 * h))
    ctx.beginPath()
    ctx.moveTo(x + r, y)
    ctx.lineTo(x + w - r, y)
    ctx.arcTo(x + w, y, x + w, y + r, r)
    ctx.lineTo(x + w, y + h - r)
    ctx.arcTo(x + w, y + h, x + w - r, y + h, r)
    ctx.lineTo(x + r, y + h)
    ctx.arcTo(x, y + h, x, y + h - r, r)
    ctx.lineTo(x, y + r)
    ctx.arcTo(x, y, x + r, y, r)
    ctx.closePath()


# %% Redraw scheduling


class Scheduler:
    """Calls ``draw()`` in an animation frame when requested, and on every whole
    second of the app clock."""

    def __init__(self, draw):
        self._draw = draw
        self._pending = False
        self._tick_timer = None
        self._running = False
        self.frame_times = []  # durations of recent frames in ms (benchmarks read them)

    def request(self):
        if self._pending:
            return
        self._pending = True
        window.requestAnimationFrame(self._frame)

    def _frame(self, timestamp):
        self._pending = False
        t0 = window.performance.now()
        try:
            self._draw()
        except Exception as err:
            window.console.error("draw failed:", err)
        elapsed = window.performance.now() - t0
        self.frame_times.append(elapsed)
        if len(self.frame_times) > 600:
            self.frame_times.splice(0, len(self.frame_times) - 600)

    def start(self):
        if self._running:
            return
        self._running = True
        self._schedule_tick()

        def on_visibility():
            if window.document.visibilityState == "visible":
                self.request()
                self._schedule_tick()

        window.document.addEventListener("visibilitychange", on_visibility)

    def _schedule_tick(self):
        if self._tick_timer is not None:
            window.clearTimeout(self._tick_timer)
        now = dt.now()
        delay = (1 - (now % 1)) * 1000 + 2  # just past the next whole second
        self._tick_timer = window.setTimeout(self._tick, max(delay, 10))

    def _tick(self):
        self._tick_timer = None
        if window.document.visibilityState == "hidden":
            return  # resumed by visibilitychange
        self.request()
        self._schedule_tick()


# %% Tooltips


_tooltip = {"node": None, "timer": None, "key": None, "shown": False}


def _tooltip_node():
    if _tooltip.node is None:
        node = window.document.createElement("div")
        node.className = "tt-tooltip"
        node.setAttribute("role", "tooltip")
        window.document.body.appendChild(node)
        _tooltip.node = node
    return _tooltip.node


def show_tooltip(key, text, rect, placement="right"):
    """Show ``text`` beside ``rect`` (``[x, y, w, h]`` in page pixels) after the
    hover delay; ``key`` identifies the hovered thing (same key: nothing changes).
    ``placement`` is "right", "below" or "at" (at the top-left of the rect)."""
    if not is_desktop_like() or not text:
        hide_tooltip()
        return
    if _tooltip.key == key:
        return
    hide_tooltip()
    _tooltip.key = key

    def show():
        _tooltip.timer = None
        node = _tooltip_node()
        node.textContent = text
        node.style.left = "0px"
        node.style.top = "0px"
        node.classList.add("visible")
        _tooltip.shown = True
        tw = node.offsetWidth
        th = node.offsetHeight
        vw = window.innerWidth
        vh = window.innerHeight
        if placement == "below":
            x = rect[0] + 0.5 * rect[2] - 0.5 * tw
            y = rect[1] + rect[3] + 8
        elif placement == "at":
            x = rect[0] + 14
            y = rect[1] + 18
        else:
            x = rect[0] + rect[2] + 10
            y = rect[1] + 0.5 * rect[3] - 0.5 * th
            if x + tw > vw - 4:
                x = rect[0] - tw - 10  # flip to the left near the right edge
        x = max(4, min(x, vw - tw - 4))
        y = max(4, min(y, vh - th - 4))
        node.style.left = x + "px"
        node.style.top = y + "px"

    _tooltip.timer = window.setTimeout(show, TOOLTIP_DELAY * 1000)


def hide_tooltip():
    if _tooltip.timer is not None:
        window.clearTimeout(_tooltip.timer)
        _tooltip.timer = None
    _tooltip.key = None
    if _tooltip.shown and _tooltip.node is not None:
        _tooltip.node.classList.remove("visible")
        _tooltip.shown = False


def attach_tooltip(element, text):
    """Tooltips for an HTML element; ``text`` is a string or a function giving one."""

    def on_enter(event):
        if event.pointerType and event.pointerType != "mouse":
            return
        value = text if isinstance(text, str) else text()
        r = element.getBoundingClientRect()
        show_tooltip(element, value, [r.left, r.top, r.width, r.height], "below")

    def on_leave(event):
        hide_tooltip()

    element.addEventListener("pointerenter", on_enter)
    element.addEventListener("pointerleave", on_leave)
    element.addEventListener("pointerdown", on_leave)


# %% The canvas widget


class CanvasWidget:
    """A HiDPI canvas with normalised pointer and wheel input. Subclasses implement
    ``on_draw(ctx, w, h)`` and any of the ``on_*`` input methods."""

    def __init__(self, app, container):
        self.app = app
        self.container = container
        node = window.document.createElement("canvas")
        node.className = "tt-canvas"
        node.setAttribute("tabindex", "-1")
        container.appendChild(node)
        self.node = node
        self.w = 1  # size in CSS pixels
        self.h = 1
        self.ratio = 1
        self.pointers = {}  # pointer id -> pointer state
        self.regions = []  # tooltip regions of the last frame: [x, y, w, h, text, how]
        self._hover = None  # last hover position
        self._wheel_last = 0
        self._wheel_captured = False
        self._observe_size()
        self._bind_input()

    # Size

    def _observe_size(self):
        def on_resize(entries):
            entry = entries[0]
            w = entry.contentRect.width
            h = entry.contentRect.height
            dw = None
            dh = None
            if entry.devicePixelContentBoxSize and entry.devicePixelContentBoxSize[0]:
                dw = entry.devicePixelContentBoxSize[0].inlineSize
                dh = entry.devicePixelContentBoxSize[0].blockSize
            self._set_size(w, h, dw, dh)

        if window.ResizeObserver:
            observer = window.ResizeObserver(on_resize)
            try:
                observer.observe(self.node, {"box": "device-pixel-content-box"})
            except Exception:
                observer.observe(self.node)
            self._observer = observer
        else:

            def on_window_resize():
                r = self.node.getBoundingClientRect()
                self._set_size(r.width, r.height, None, None)

            window.addEventListener("resize", on_window_resize)
            on_window_resize()

    def _set_size(self, w, h, dw, dh):
        ratio = window.devicePixelRatio or 1
        if not dw:
            dw = Math.round(w * ratio)
            dh = Math.round(h * ratio)
        self.w = max(1, w)
        self.h = max(1, h)
        if w <= 1 or h <= 1:
            return  # hidden
        self.ratio = dw / max(1, w) if w > 0 else ratio
        if self.node.width != dw or self.node.height != dh:
            self.node.width = max(1, dw)
            self.node.height = max(1, dh)
        self.app.request_redraw()

    def check_size(self):
        """Re-measure now (e.g. after a layout change) instead of waiting for the
        observer."""
        r = self.node.getBoundingClientRect()
        if abs(r.width - self.w) > 0.5 or abs(r.height - self.h) > 0.5:
            self._set_size(r.width, r.height, None, None)

    # Drawing

    def draw(self):
        """Draw a frame (called by the app's scheduler)."""
        if self.w <= 1 or self.h <= 1:
            return  # hidden (e.g. the other panel on a narrow screen: size 0)
        ctx = self.node.getContext("2d")
        ctx.setTransform(1, 0, 0, 1, 0, 0)
        ctx.clearRect(0, 0, self.node.width, self.node.height)
        ctx.setTransform(self.ratio, 0, 0, self.ratio, 0, 0)
        self.regions = []
        self.on_draw(ctx, self.w, self.h)
        if self._hover is not None and len(self.pointers.keys()) == 0:
            self._update_tooltip(self._hover[0], self._hover[1])

    def on_draw(self, ctx, w, h):
        pass

    def add_region(self, x, y, w, h, text, how="right"):
        """A tooltip region for this frame (CSS pixels in the canvas)."""
        self.regions.append([x, y, w, h, text, how])

    def _update_tooltip(self, x, y):
        for i in range(len(self.regions) - 1, -1, -1):
            r = self.regions[i]
            if r[0] <= x <= r[0] + r[2] and r[1] <= y <= r[1] + r[3]:
                rect = self.node.getBoundingClientRect()
                if r[5] == "at":
                    box = [rect.left + x, rect.top + y, 0, 0]
                else:
                    box = [rect.left + r[0], rect.top + r[1], r[2], r[3]]
                show_tooltip("c" + r[0] + "," + r[1] + "," + r[4], r[4], box, r[5])
                return
        if _tooltip.key and str(_tooltip.key).startswith("c"):
            hide_tooltip()

    # Input

    def _pos(self, event):
        rect = self.node.getBoundingClientRect()
        return [event.clientX - rect.left, event.clientY - rect.top]

    def _bind_input(self):
        node = self.node
        node.addEventListener("pointerdown", self._on_pointerdown)
        node.addEventListener("pointermove", self._on_pointermove)
        node.addEventListener("pointerup", self._on_pointerup)
        node.addEventListener("pointercancel", self._on_pointercancel)
        node.addEventListener("pointerleave", self._on_pointerleave)
        node.addEventListener("wheel", self._on_wheel, {"passive": False})
        node.addEventListener("blur", self._on_blur)

        def on_contextmenu(event):
            if not event.ctrlKey:
                event.preventDefault()

        def on_click(event):
            if not event.ctrlKey:
                event.preventDefault()

        node.addEventListener("contextmenu", on_contextmenu)
        node.addEventListener("click", on_click)
        node.addEventListener("dblclick", on_click)

    def _on_pointerdown(self, event):
        if event.pointerType == "mouse" and event.button != 0 and event.button != 2:
            return
        if event.ctrlKey and event.button == 2:
            return  # Ctrl + right click: the browser's menu
        hide_tooltip()
        pos = self._pos(event)
        p = {
            "id": event.pointerId,
            "x": pos[0],
            "y": pos[1],
            "x0": pos[0],
            "y0": pos[1],
            "t0": perf_seconds(),
            "button": event.button,
            "type": event.pointerType or "mouse",
            "moved": False,
            "shift": event.shiftKey,
            "samples": [[perf_seconds(), pos[0], pos[1]]],
        }
        self.pointers[event.pointerId] = p
        try:
            self.node.setPointerCapture(event.pointerId)
        except Exception:
            pass
        if event.pointerType == "mouse":
            self.node.focus({"preventScroll": True})
        event.preventDefault()
        self.on_press(p, self._pointer_list())

    def _on_pointermove(self, event):
        pos = self._pos(event)
        p = self.pointers[event.pointerId]
        if p is undefined:
            if event.pointerType == "mouse":
                self._hover = pos
                self.on_hover(pos[0], pos[1])
                self._update_tooltip(pos[0], pos[1])
            return
        p.x = pos[0]
        p.y = pos[1]
        now = perf_seconds()
        p.samples.append([now, pos[0], pos[1]])
        if len(p.samples) > 12:
            p.samples.splice(0, len(p.samples) - 12)
        if abs(p.x - p.x0) > 10 or abs(p.y - p.y0) > 10:
            p.moved = True
        event.preventDefault()
        self.on_drag(p, self._pointer_list())

    def _on_pointerup(self, event):
        p = self.pointers[event.pointerId]
        if p is undefined:
            return
        pos = self._pos(event)
        p.x = pos[0]
        p.y = pos[1]
        del self.pointers[event.pointerId]
        try:
            self.node.releasePointerCapture(event.pointerId)
        except Exception:
            pass
        self.on_release(p, self._pointer_list())

    def _on_pointercancel(self, event):
        p = self.pointers[event.pointerId]
        if p is undefined:
            return
        del self.pointers[event.pointerId]
        self.on_cancel(p, self._pointer_list())

    def _on_pointerleave(self, event):
        if event.pointerType == "mouse" and self.pointers[event.pointerId] is undefined:
            self._hover = None
            self.on_hover(-1, -1)
            hide_tooltip()

    def _on_blur(self, event):
        self.on_blur()

    def _pointer_list(self):
        return [self.pointers[k] for k in self.pointers.keys()]

    def _on_wheel(self, event):
        if event.ctrlKey:
            return  # browser zoom
        now = perf_seconds()
        new_gesture = now - self._wheel_last > WHEEL_GESTURE_GAP
        self._wheel_last = now
        if new_gesture:
            # Only gestures that start over the canvas are ours (no hijacked page
            # scrolling that merely passes over it).
            self._wheel_captured = True
        if not self._wheel_captured:
            return
        factor = 1
        if event.deltaMode == 1:
            factor = 16
        elif event.deltaMode == 2:
            factor = 600
        pos = self._pos(event)
        event.preventDefault()
        hide_tooltip()
        self.on_wheel(
            pos[0], pos[1], event.deltaX * factor, event.deltaY * factor, event.shiftKey
        )

    # Overridable input handlers

    def on_press(self, p, pointers):
        pass

    def on_drag(self, p, pointers):
        pass

    def on_release(self, p, pointers):
        pass

    def on_cancel(self, p, pointers):
        self.on_release(p, pointers)

    def on_hover(self, x, y):
        pass

    def on_wheel(self, x, y, dx, dy, shift):
        pass

    def on_blur(self):
        pass


def velocity(p):
    """Pixels per second of a pointer's recent vertical movement (TL-13 inertia):
    from up to the last 10 samples within 0.4 s; 0 when it stood still."""
    samples = p.samples
    now = perf_seconds()
    recent = [s for s in samples if now - s[0] < 0.4]
    if len(recent) < 2:
        return 0
    recent = recent[-10:]
    first = recent[0]
    last = recent[len(recent) - 1]
    span = last[0] - first[0]
    if span < 0.02:
        return 0
    if now - last[0] > 0.1:
        return 0  # stopped before release
    return (last[2] - first[2]) / span
