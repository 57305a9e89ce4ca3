"""The timeline panel: the canvas that shows records or statistics over time, and
what the pointer does on it. The drawing is ``timelineview.TimelineView``; this
module adds the input.

* Pointer navigation (TL-13): drag to pan (1:1), right-drag to zoom, two-finger pinch,
  inertia on release else snap; wheel to pan, Shift+wheel or horizontal wheel to zoom
  around the cursor (TL-14). A click on a statistics block zooms to it.
* Drag to create (RC-06): click an empty spot of the column, then drag in it.
* Direct manipulation (RC-18): click a bar to select it; drag its top flap (start),
  bottom flap (end) or body (move), rounded to the zoom level and snapped to the
  neighbouring records' edges. Quirk 19, decided: the record changes on screen while
  dragging and is put into the store once, on release (one edit, one sync item).
* A click on a label opens the record (RC-08); Escape (through the app's keys) and
  losing the focus end the selection and drag-create mode.
"""

from pscript import window

from ..core import dt
from . import canvas, timelineview, timescale

TimelineView = timelineview.TimelineView


class Timeline(TimelineView):
    """The timeline canvas of an app (see the module docstring)."""

    def __init__(self, app, container):
        super().__init__(app, container)
        self._last_wheel_zoom = 0

    def cancel_selection(self):
        """End the selection and drag-create mode (Escape); whether there was one."""
        if not self.create_mode and self.selected_key is None:
            return False
        self.create_mode = False
        self.selected_key = None
        self.app.request_redraw()
        return True

    # %% Input

    def on_hover(self, x, y):
        hit = self.hit_test(x, y)
        key = None
        block = None
        if hit[0] == "bar" or hit[0] == "label":
            key = hit[1].key
        elif hit[0] == "block":
            block = hit[1][0]
        if key != self.hover_key or block != self.hover_block:
            self.hover_key = key
            self.hover_block = block
            self.app.request_redraw()
        cursor = "default"
        if hit[0] == "start" or hit[0] == "end":
            cursor = "ns-resize"
        elif hit[0] == "move":
            cursor = "move"
        elif hit[0] == "label" or hit[0] == "bar" or hit[0] == "block":
            cursor = "pointer"
        elif hit[0] == "column" and self.create_mode:
            cursor = "crosshair"
        self.node.style.cursor = cursor

    def on_press(self, p, pointers):
        self.app.stop_animation()
        if self._drawn_version != self.version:
            self.draw()  # hit-test what the store holds now, not the last frame
        if len(pointers) >= 2:
            self._start_pinch(pointers)
            return
        if self.gesture is not None and self.gesture.kind == "pinch":
            return
        hit = self.hit_test(p.x, p.y)
        records_mode = timescale.is_records_mode(
            self.app.get_range()[0], self.app.get_range()[1]
        )
        g = {
            "kind": "pending",
            "hit": hit,
            "range0": list(self.app.get_displayed_range()),
            "y0": p.y,
            "button": p.button,
        }
        kind = hit[0]
        if (
            (kind == "start" or kind == "end" or kind == "move")
            and not self.app.store.is_read_only
            and p.button != 2
        ):
            g.kind = "edit"
            g.record = window.Object.assign({}, hit[1])
            g.t0 = self.y2t(p.y)
        elif records_mode and self.create_mode and kind == "column" and p.button != 2:
            g.kind = "create"
            g.t0 = self.y2t(p.y)
        elif self.create_mode and kind != "column":
            self.create_mode = False
            self.app.request_redraw()
        self.gesture = g

    def on_drag(self, p, pointers):
        g = self.gesture
        if g is None:
            return
        if g.kind == "pinch":
            self._update_pinch(pointers)
            return
        if g.kind == "edit":
            t_now = self.y2t(p.y)
            others = []
            for r in self._rec_cache.records:
                if r.key != g.record.key:
                    others.append(r)
            times = timescale.drag_edit(
                g.record,
                g.hit[0],
                g.t0,
                t_now,
                self.seconds_per_pixel(),
                others,
                dt.now(),
            )
            self.dragged = {
                "key": g.record.key,
                "t1": times[0],
                "t2": times[1],
            }
            self.app.request_redraw()
            return
        if g.kind == "create":
            self.creating = [g.t0, self.y2t(p.y)]
            self.app.request_redraw()
            return
        if g.kind == "pending" and p.moved:
            g.kind = "zoom" if g.button == 2 else "pan"
            self.create_mode = False
        if g.kind == "pan":
            r0 = g.range0
            dt_ = (p.y - g.y0) * (r0[1] - r0[0]) / (self.ty1 - self.ty0)
            self.app.set_range(r0[0] - dt_, r0[1] - dt_)
        elif g.kind == "zoom":
            r0 = g.range0
            factor = Math.pow(2, 4 * (p.y - g.y0) / max(100, self.h))
            t_fixed = r0[0] + (g.y0 - self.ty0) * (r0[1] - r0[0]) / (
                self.ty1 - self.ty0
            )
            nr = timescale.zoom_around(r0[0], r0[1], factor, t_fixed)
            self.app.set_range(nr[0], nr[1])

    def on_release(self, p, pointers):
        g = self.gesture
        if g is None:
            return
        if g.kind == "pinch":
            if len(pointers) == 0:
                self.gesture = None
                self.app.snap()
            return
        self.gesture = None
        if g.kind == "edit":
            self._finish_edit()
        elif g.kind == "create":
            self._finish_create(p)
        elif g.kind == "pan":
            v = canvas.velocity(p)
            if abs(v) > 150:
                r = self.app.get_displayed_range()
                spp = (r[1] - r[0]) / (self.ty1 - self.ty0)
                dist = v * 0.35
                panned = abs(p.y - g.y0)
                dist = max(-panned, min(panned, dist))
                self.app.animate_range(r[0] - dist * spp, r[1] - dist * spp, True)
            else:
                self.app.snap()
        elif g.kind == "zoom":
            self.app.snap()
        else:
            self._click(g.hit, p)

    def on_cancel(self, p, pointers):
        self.gesture = None
        self.dragged = None
        self.creating = None
        self.app.snap()

    def on_blur(self):
        """Losing focus cancels the selection and drag-create mode (TL-01)."""
        if self.gesture is not None:
            return
        if self.selected_key is not None or self.create_mode:
            self.selected_key = None
            self.create_mode = False
            self.app.request_redraw()

    def _click(self, hit, p):
        kind = hit[0]
        records_mode = timescale.is_records_mode(
            self.app.get_range()[0], self.app.get_range()[1]
        )
        if kind == "label":
            self.selected_key = None
            self.create_mode = False
            self.app.actions.edit_record(hit[1])
        elif kind == "bar":
            self.create_mode = False
            if self.selected_key == hit[1].key:
                self.selected_key = None
            else:
                self.selected_key = hit[1].key
        elif kind == "start" or kind == "end" or kind == "move":
            pass  # a click on the selected record keeps it selected
        elif kind == "block":
            self.app.animate_range(hit[1][0], hit[1][1], False)
        elif kind == "column" and records_mode:
            self.selected_key = None
            self.create_mode = not self.create_mode
        else:
            self.selected_key = None
            self.create_mode = False
        self.app.request_redraw()

    def _finish_edit(self):
        d = self.dragged
        self.dragged = None
        if d is None:
            return
        record = self.app.store.records.get_by_key(d.key)
        if record is None:
            return
        if record.t1 == d.t1 and record.t2 == d.t2:
            return
        record.t1 = Math.round(d.t1)
        record.t2 = Math.round(d.t2)
        self.app.store.records.put(record)
        self.app.request_redraw()

    def _finish_create(self, p):
        c = self.creating
        self.creating = None
        self.create_mode = False
        self.app.request_redraw()
        if c is None:
            return
        if abs(self.t2y(c[1]) - self.t2y(c[0])) <= 4:
            return
        ab = timescale.create_times(c[0], c[1], self.seconds_per_pixel(), dt.now())
        record = self.app.store.records.create(ab[0], ab[1])
        self.app.actions.new_record(record)

    # Pinch (two fingers): zoom by the spread, pan by the average movement

    def _start_pinch(self, pointers):
        a = pointers[0]
        b = pointers[1]
        self.create_mode = False
        self.dragged = None
        self.creating = None
        r0 = list(self.app.get_displayed_range())
        yc = 0.5 * (a.y + b.y)
        self.gesture = {
            "kind": "pinch",
            "range0": r0,
            "d0": max(20, abs(a.y - b.y) + 0.3 * abs(a.x - b.x)),
            "tc": r0[0] + (yc - self.ty0) * (r0[1] - r0[0]) / (self.ty1 - self.ty0),
        }

    def _update_pinch(self, pointers):
        if len(pointers) < 2:
            return
        g = self.gesture
        a = pointers[0]
        b = pointers[1]
        d = max(20, abs(a.y - b.y) + 0.3 * abs(a.x - b.x))
        yc = 0.5 * (a.y + b.y)
        length = (g.range0[1] - g.range0[0]) * g.d0 / d
        length = max(300, min(length, 40 * 365 * 86400))
        t1 = g.tc - (yc - self.ty0) * length / (self.ty1 - self.ty0)
        self.app.set_range(t1, t1 + length)

    # Wheel (TL-14)

    def on_wheel(self, x, y, dx, dy, shift):
        r = self.app.get_range()
        if shift or abs(dx) > abs(dy):
            delta = dx if abs(dx) > abs(dy) else dy
            now = canvas.perf_seconds()
            if abs(delta) < 20 or now - self._last_wheel_zoom < 0.6:
                return
            self._last_wheel_zoom = now
            direction = -1 if delta > 0 else 1
            t_fixed = self.y2t(y)
            zr = timescale.zoom_range(r[0], r[1], direction, t_fixed, 1)
            factor = (zr[1] - zr[0]) / (r[1] - r[0])
            nr = timescale.zoom_around(r[0], r[1], factor, t_fixed)
            self.app.animate_range(nr[0], nr[1], True)
            return
        snapped = timescale.snap_range(r[0], r[1], self.app.first_day_of_week())
        step = 0.15 * (snapped[1] - snapped[0]) * dy / 48
        self.app.animate_range(r[0] + step, r[1] + step, True)
