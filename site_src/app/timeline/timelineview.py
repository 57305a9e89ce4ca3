"""The timeline canvas as it is drawn: its geometry, its data and its drawing.

``TimelineView`` (the base of ``timeline.Timeline``, which adds the input) draws:

* Ticks and labels left of the timeline column (TL-16), thick lines at midnight, grey
  shading outside the snapped range while not aligned (TL-05), the dashed, marching
  "now" line (TL-20).
* Records mode (TL-18, ranges under 2 days): one bar per record in the column, from
  start to end (running: to now), joined to a label box with the duration and the
  description (tags with their ``#`` in the tag colour). Labels closer than 48 px merge
  into evenly spread clusters (``timescale.layout_labels``). Colour bands per tag on the
  bar, warm background and a blinking tab for running records, a "+" on records not
  yet confirmed by the server, faded records that lack the selected overview tags.
* Statistics mode (TL-19, module ``statblocks``): one block per day/week/month/quarter/
  year with the tracked time, coloured by primary tag, fuller-looking when more of the
  period was tracked; free days darker. Block statistics are cached per block and
  store change, so panning a year of 100,000 records stays cheap.
* The selected record with its flaps (RC-18), the record being dragged out (RC-06).
* Records that overlap another (``overlaps``): a warning stripe on the bar's right
  edge and a "!" mark on the label; ``overlap_keys`` holds the drawn ones.

Geometry: ``t2y``/``y2t`` map times to canvas pixels for the displayed range; every
drawn thing that can be clicked is remembered, so ``hit_test(x, y)`` tells what is
under the pointer.
"""

from pscript import window

from ..core import colors, dt, overlaps, taginfo, tags, theme
from . import canvas, statblocks, timescale

COL_X = 64  # timeline column: left edge and width (narrow screens use less)
COL_W = 50
LABEL_H = 40
LABEL_SPACING = 48
EDGE_PAD = 12  # pixels between the range and the canvas edges
FLAP_H = 20
FLAP_H_TOUCH = 30


def tag_order(tag_list):
    """Tags in display order: primary before secondary, then alphabetical."""
    result = list(tag_list)

    def key(a, b):
        pa = taginfo.get_tag_priority(a)
        pb = taginfo.get_tag_priority(b)
        if pa != pb:
            return pa - pb
        return -1 if a < b else (1 if a > b else 0)

    result.sort(key)
    return result


CanvasWidget = canvas.CanvasWidget


class TimelineView(CanvasWidget):
    """The drawing half of the timeline canvas (see the module docstring)."""

    def __init__(self, app, container):
        super().__init__(app, container)
        self.selected_key = None  # RC-18
        self.create_mode = False  # RC-06
        self.creating = None  # [t_press, t_now] while dragging out a new record
        self.dragged = None  # {key, t1, t2, what} while dragging a selected record
        self.gesture = None
        self.hover_key = None
        self.hover_block = None
        self._hits = []  # [kind, x, y, w, h, data], in drawing order
        self.version = 0  # bumped on every store change
        self._drawn_version = -1
        self._rec_cache = {"t1": 0, "t2": -1, "version": -1, "records": []}
        self.overlap_keys = {}  # key -> True for the drawn records that overlap another
        self.block_cache = {}  # statblocks: per-block statistics of a store version
        self.block_cache_version = -1
        self._text_widths = {}
        self._text_widths_n = 0
        self._font = "system-ui, sans-serif"
        self._font_read = False
        self._ds_cache = {}
        self._ds_cache_n = 0
        self._ds_cache_version = -1
        self._tags_version = -1
        self._colors = {}
        self._priorities = {}
        self.ty0 = EDGE_PAD
        self.ty1 = 100

    # %% Data

    def invalidate(self):
        """Forget cached records and statistics (the store changed)."""
        self.version += 1

    def get_records(self, t1, t2):
        """Records overlapping [t1, t2], from a cache that covers a wider window."""
        c = self._rec_cache
        if c.version != self.version or t1 < c.t1 or t2 > c.t2:
            span = t2 - t1
            c.t1 = t1 - span
            c.t2 = t2 + span
            c.version = self.version
            c.records = self.app.store.records.get_records(c.t1, c.t2)
        now = dt.now()
        result = []
        for r in c.records:
            rt2 = now if r.t1 is r.t2 else r.t2
            if r.t1 < t2 and rt2 > t1:
                result.append(r)
        return result

    # %% Geometry

    def t2y(self, t):
        r = self.app.get_displayed_range()
        return self.ty0 + (t - r[0]) * (self.ty1 - self.ty0) / (r[1] - r[0])

    def y2t(self, y):
        r = self.app.get_displayed_range()
        return r[0] + (y - self.ty0) * (r[1] - r[0]) / (self.ty1 - self.ty0)

    def seconds_per_pixel(self):
        r = self.app.get_displayed_range()
        return (r[1] - r[0]) / max(1, self.ty1 - self.ty0)

    def _layout(self, w, h):
        narrow = w < 400
        self.col_x = 58 if narrow else COL_X
        self.col_w = 36 if narrow else COL_W
        self.label_x = self.col_x + self.col_w + (10 if narrow else 16)
        self.right = w - 8
        self.ty0 = EDGE_PAD
        self.ty1 = max(self.ty0 + 10, h - EDGE_PAD)
        self.touch = self.app.is_touch

    # %% Text helpers

    def _measure(self, ctx, text):
        key = ctx.font + "|" + text
        width = self._text_widths[key]
        if width is undefined:
            width = ctx.measureText(text).width
            if self._text_widths_n > 4000:
                self._text_widths = {}
                self._text_widths_n = 0
            self._text_widths[key] = width
            self._text_widths_n += 1
        return width

    def _fit(self, ctx, text, maxw):
        """The text, cut with an ellipsis to fit ``maxw`` pixels."""
        if self._measure(ctx, text) <= maxw:
            return text
        lo = 0
        hi = len(text)
        while lo < hi:
            mid = Math.ceil((lo + hi) / 2)
            if self._measure(ctx, text[:mid] + "…") <= maxw:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo] + "…" if lo > 0 else ""

    def _tag_cache(self):
        if self._tags_version != self.version:
            self._tags_version = self.version
            self._colors = {}
            self._priorities = {}

    def tag_color(self, tag):
        """A tag's colour, cached per store version (settings changes bump it)."""
        self._tag_cache()
        color = self._colors[tag]
        if color is undefined:
            color = self._colors[tag] = taginfo.get_tag_color(tag)
        return color

    def tag_priority(self, tag):
        self._tag_cache()
        prio = self._priorities[tag]
        if prio is undefined:
            prio = self._priorities[tag] = taginfo.get_tag_priority(tag)
        return prio

    def describe(self, ds):
        """What drawing needs of a description, cached per store version: its tags,
        the colour-band tags in display order with their colours, and its parts
        (tags marked with their colour)."""
        if self._ds_cache_version != self.version:
            self._ds_cache = {}
            self._ds_cache_n = 0
            self._ds_cache_version = self.version
        key = ds or ""
        hit = self._ds_cache[key]
        if hit is not undefined:
            return hit
        split = tags.split_description(key)
        rtags = split[0]
        band_tags = tag_order(rtags if len(rtags) > 0 else [tags.UNTAGGED])
        band_colors = [self.tag_color(tag) for tag in band_tags]
        parts = []
        for part in split[1]:
            if part.startswith("#") and len(part) > 1:
                parts.append([part, self.tag_color(part)])
            else:
                parts.append([part, None])
        hit = {
            "tags": rtags,
            "tip": " ".join(rtags) if len(rtags) > 0 else tags.UNTAGGED,
            "band_tags": band_tags,
            "band_colors": band_colors,
            "parts": parts,
        }
        if self._ds_cache_n > 5000:
            self._ds_cache = {}
            self._ds_cache_n = 0
        self._ds_cache[key] = hit
        self._ds_cache_n += 1
        return hit

    def draw_description(self, ctx, ds, x, y, maxw, faded, pal):
        """Draw a description with coloured tag hashes; returns the width used."""
        parts = self.describe(ds).parts
        if len(parts) == 0:
            ctx.fillStyle = pal.faint
            ctx.fillText(self._fit(ctx, "(no description)", maxw), x, y)
            return 0
        x0 = x
        text_color = pal.faint if faded else pal.record_text
        # When it does not fit, shorten the plain text first so the tags stay visible.
        widths = [self._measure(ctx, pair[0]) for pair in parts]
        total = 0
        tag_w = 0
        for i in range(len(parts)):
            total += widths[i]
            if parts[i][1] is not None:
                tag_w += widths[i]
        if total > maxw and maxw - tag_w > 40 and total > tag_w:
            ratio = (maxw - tag_w - 2) / (total - tag_w)
            shortened = []
            for i in range(len(parts)):
                pair = parts[i]
                if pair[1] is None and widths[i] > 0 and pair[0].strip():
                    text = pair[0]
                    fitted = self._fit(ctx, text, widths[i] * ratio)
                    if fitted != text and text.endswith(" ") and fitted:
                        fitted += " "
                    shortened.append([fitted, None])
                else:
                    shortened.append(pair)
            parts = shortened
        for pair in parts:
            part = pair[0]
            avail = x0 + maxw - x
            if avail <= 8:
                break
            if pair[1] is not None:
                hash_w = self._measure(ctx, "#")
                ctx.fillStyle = pal.faint if faded else pair[1]
                ctx.fillText("#", x, y)
                rest = self._fit(ctx, part[1:], avail - hash_w)
                ctx.fillStyle = text_color
                ctx.fillText(rest, x + hash_w, y)
                x += hash_w + self._measure(ctx, rest)
                if rest != part[1:]:
                    break
            else:
                fitted = self._fit(ctx, part, avail)
                ctx.fillStyle = text_color
                ctx.fillText(fitted, x, y)
                x += self._measure(ctx, fitted)
                if fitted != part:
                    break
        return x - x0

    # %% Drawing

    def on_draw(self, ctx, w, h):
        pal = theme.current()
        self._layout(w, h)
        self._hits = []
        self._drawn_version = self.version
        self._read_font()
        r = self.app.get_displayed_range()
        t1 = r[0]
        t2 = r[1]
        if t2 <= t1:
            return
        records_mode = timescale.is_records_mode(t1, t2)
        self._draw_column(ctx, pal, t1, t2, records_mode)
        if records_mode:
            self._draw_records(ctx, pal, t1, t2)
        else:
            statblocks.draw(self, ctx, pal, t1, t2)
        self._draw_now(ctx, pal, t1, t2)
        self._draw_edge_fades(ctx, pal, w, h)
        if records_mode and self.create_mode:
            self._draw_create_hint(ctx, pal)

    def _read_font(self):
        """Draw with the page's font (read once)."""
        if not self._font_read:
            self._font_read = True
            style = window.getComputedStyle(window.document.body)
            if style and style.fontFamily:
                self._font = style.fontFamily

    def _draw_column(self, ctx, pal, t1, t2, records_mode):
        cx = self.col_x
        cw = self.col_w
        ext0 = self.y2t(0)
        ext1 = self.y2t(self.h)
        # Column background
        ctx.fillStyle = pal.column
        ctx.fillRect(cx, 0, cw, self.h)
        if records_mode and self.create_mode:
            ctx.fillStyle = colors.with_alpha(pal.accent, 0.45)
            ctx.fillRect(cx, 0, cw, self.h)
        # Shade outside the snapped range (TL-05) while not aligned.
        fdow = self.app.first_day_of_week()
        if not self.app.is_animating() and not timescale.is_snapped(t1, t2, fdow):
            snapped = timescale.snap_range(t1, t2, fdow)
            ctx.fillStyle = pal.shade
            ya = self.t2y(snapped[0])
            yb = self.t2y(snapped[1])
            if ya > 0:
                ctx.fillRect(cx, 0, cw, ya)
            if yb < self.h:
                ctx.fillRect(cx, yb, cw, self.h - yb)
        # Ticks
        ticks = timescale.choose_ticks(t1, t2, self.ty1 - self.ty0)
        major = ticks[0]
        minor = ticks[1]
        ctx.fillStyle = pal.tick
        if minor != major:
            for t in timescale.tick_times(ext0, ext1, minor, fdow):
                y = Math.round(self.t2y(t))
                ctx.fillRect(cx, y, 4, 1)
                ctx.fillRect(cx + cw - 4, y, 4, 1)
        ampm = self.app.use_ampm()
        small = self.w < 400
        ctx.font = ("11px " if small else "12px ") + self._font
        ctx.textAlign = "right"
        ctx.textBaseline = "middle"
        day_unit = major[len(major) - 1] in "mh"
        for t in timescale.tick_times(ext0, ext1, major, fdow):
            y = Math.round(self.t2y(t))
            is_day = day_unit and timescale.is_day_boundary(t)
            if is_day:
                ctx.fillStyle = pal.day_line
                ctx.fillRect(cx - 6, y - 1, cw + 6, 2)
            else:
                ctx.fillStyle = pal.tick
                ctx.fillRect(cx, y, 8, 1)
                ctx.fillRect(cx + cw - 8, y, 8, 1)
            if -10 < y < self.h + 10:
                label = timescale.tick_label(t, major, ampm)
                ctx.fillStyle = pal.text if is_day else pal.muted
                if is_day:
                    ctx.font = ("600 11px " if small else "600 12px ") + self._font
                # Too long for the space (narrow screens): drop leading words
                # ("Jan 2024" -> "2024", "Wed 1 May" -> "1 May").
                while self._measure(ctx, label) > cx - 10 and label.indexOf(" ") > 0:
                    label = label[label.indexOf(" ") + 1 :]
                ctx.fillText(self._fit(ctx, label, cx - 10), cx - 7, y)
                if is_day:
                    ctx.font = ("11px " if small else "12px ") + self._font
        # Column edges
        ctx.fillStyle = pal.column_edge
        ctx.fillRect(cx, 0, 1, self.h)
        ctx.fillRect(cx + cw - 1, 0, 1, self.h)

    def _draw_now(self, ctx, pal, t1, t2):
        now = dt.now()
        y = self.t2y(now)
        if y < -2 or y > self.h + 2:
            return
        ctx.save()
        ctx.strokeStyle = pal.accent
        ctx.lineWidth = 3
        ctx.setLineDash([4, 4])
        ctx.lineDashOffset = -(Math.floor(now) % 8)
        ctx.beginPath()
        ctx.moveTo(self.col_x - 6, y)
        ctx.lineTo(self.col_x + self.col_w + 6, y)
        ctx.stroke()
        ctx.restore()

    def _draw_edge_fades(self, ctx, pal, w, h):
        for top in [True, False]:
            y0 = 0 if top else h - EDGE_PAD
            grad = ctx.createLinearGradient(0, y0, 0, y0 + EDGE_PAD)
            solid = pal.panel
            clear = colors.with_alpha(pal.panel, 0)
            grad.addColorStop(0, solid if top else clear)
            grad.addColorStop(1, clear if top else solid)
            ctx.fillStyle = grad
            ctx.fillRect(0, y0, w, EDGE_PAD)

    def _draw_create_hint(self, ctx, pal):
        text = "drag to create a new record"
        ctx.font = "600 13px " + self._font
        ctx.textAlign = "left"
        ctx.textBaseline = "middle"
        tw = self._measure(ctx, text)
        x = self.label_x
        y = self.ty0 + 22
        ctx.fillStyle = pal.accent
        canvas.round_rect(ctx, x - 8, y - 14, tw + 16, 28, 6)
        ctx.fill()
        ctx.fillStyle = "#0F2C3E"
        ctx.fillText(text, x, y)

    # %% Records mode

    def _draw_records(self, ctx, pal, t1, t2):
        now = dt.now()
        spp = self.seconds_per_pixel()
        ta = self.y2t(-60)
        tb = self.y2t(self.h + 60)
        records = self.get_records(ta, tb)
        if self.dragged is not None:
            for i in range(len(records)):
                if records[i].key == self.dragged.key:
                    r = window.Object.assign({}, records[i])
                    r.t1 = self.dragged.t1
                    r.t2 = self.dragged.t2
                    records[i] = r
        selected_tags = self.app.selected_tags
        self.overlap_keys = overlaps.overlapping_keys(records, now)
        items = []
        for r in records:
            rt2 = now if r.t1 is r.t2 else r.t2
            y1 = self.t2y(r.t1)
            y2 = self.t2y(rt2)
            info = self.describe(r.ds)
            item = {
                "r": r,
                "info": info,
                "running": r.t1 is r.t2,
                "t2": rt2,
                "y1": y1,
                "y2": y2,
                "tags": info.tags,
                "overlap": self.overlap_keys[r.key] is True,
                "faded": len(selected_tags) > 0
                and not tags.has_all_tags(info.tags, selected_tags),
            }
            items.append(item)

        # Label layout: wanted at the centre of the visible part of the bar.
        top = self.ty0 + 20
        bottom = self.ty1 - 20
        labelled = []
        for item in items:
            if item.y2 < top - 40 - 20 or item.y1 > bottom + 40 + 20:
                continue
            a = max(item.y1, self.ty0)
            b = min(item.y2, self.ty1)
            item.want = 0.5 * (a + b) if b > a else (a if item.y1 >= self.ty1 else b)
            item.visible = max(0, b - a)
            labelled.append(item)
        # More labels than fit would only pile up: label the longest records (the
        # others keep their bars, and are selectable and editable as usual).
        room = Math.floor((bottom - top) / LABEL_SPACING) + 1
        if len(labelled) > room:
            labelled.sort(lambda a, b: (b.visible - a.visible) or (a.r.t1 - b.r.t1))
            labelled = labelled[:room]
        labelled.sort(lambda a, b: a.want - b.want)
        wanted = [item.want for item in labelled]
        positions = timescale.layout_labels(wanted, top, bottom, LABEL_SPACING)
        for i in range(len(labelled)):
            labelled[i].ly = positions[i]

        # Records ending later are drawn first, so earlier-ending ones end up on top.
        items.sort(lambda a, b: b.t2 - a.t2)
        selected_item = None
        for item in items:
            if item.r.key is self.selected_key:
                selected_item = item
            self._draw_record(ctx, pal, item, now, spp)
        if selected_item is not None:
            self._draw_selected(ctx, pal, selected_item)
        if self.creating is not None:
            self._draw_creating(ctx, pal)

    def _draw_record(self, ctx, pal, item, now, spp):
        r = item.r
        cx = self.col_x
        cw = self.col_w
        y1 = item.y1
        y2 = item.y2
        faded = item.faded or self.create_mode
        hovered = self.hover_key is r.key and self.selected_key is None
        bg = pal.record_running if item.running else pal.record
        alpha = 0.45 if faded else 1
        ctx.globalAlpha = alpha
        # Connector and label
        if item.ly is not undefined and item.y2 > -40 and item.y1 < self.h + 40:
            self._draw_label(ctx, pal, item, bg, now)
        # The bar
        bh = max(2, y2 - y1)
        if hovered:
            ctx.shadowColor = pal.button_shadow
            ctx.shadowBlur = 6
        ctx.fillStyle = bg
        canvas.round_rect(ctx, cx + 1, y1, cw - 2, bh, 3)
        ctx.fill()
        ctx.shadowBlur = 0
        ctx.strokeStyle = pal.record_edge
        ctx.lineWidth = 1
        ctx.stroke()
        # Tag colour bands at the left edge
        band_colors = item.info.band_colors
        bw = max(4, 8 / Math.sqrt(len(band_colors)))
        for i in range(len(band_colors)):
            ctx.fillStyle = pal.faint if item.faded else band_colors[i]
            ctx.fillRect(cx + 2 + i * bw, y1 + 1, bw, max(1, bh - 2))
        # Running: a tab below the bar with a dot that blinks every other second.
        if item.running:
            ctx.fillStyle = bg
            canvas.round_rect(ctx, cx + cw / 2 - 9, y2 - 2, 18, 12, 3)
            ctx.fill()
            ctx.stroke()
            if Math.floor(now) % 2 == 0:
                ctx.fillStyle = pal.accent
                ctx.beginPath()
                ctx.arc(cx + cw / 2, y2 + 4, 3, 0, 2 * Math.PI)
                ctx.fill()
        # Overlapping another record: a warning stripe along the right edge
        if item.overlap:
            ctx.fillStyle = pal.notify
            ctx.fillRect(cx + cw - 6, y1 + 1, 4, max(2, bh - 2))
        # Not yet confirmed by the server
        if not r.st and bh > 14:
            ctx.fillStyle = pal.muted
            ctx.font = "bold 12px " + self._font
            ctx.textAlign = "center"
            ctx.textBaseline = "middle"
            ctx.fillText("+", cx + cw / 2 + 3, 0.5 * (y1 + y2))
        ctx.globalAlpha = 1
        # Click target: at least 16 px tall
        hy = y1
        hh = bh
        if hh < 16:
            hy = 0.5 * (y1 + y2) - 8
            hh = 16
        tip = item.info.tip
        if item.overlap:
            tip += " · overlaps another record"
        self._hits.append(["bar", cx, hy, cw, hh, r])
        self.add_region(cx, hy, cw, hh, tip + " · click to make draggable", "at")

    def _draw_label(self, ctx, pal, item, bg, now):
        r = item.r
        lx = self.label_x
        lw = self.right - lx
        ly = item.ly
        top = ly - LABEL_H / 2
        cx2 = self.col_x + self.col_w - 1
        a = max(item.y1, -20)
        b = min(max(item.y2, item.y1 + 2), self.h + 20)
        # Connector: a soft shape from the bar's side to the label box
        ctx.fillStyle = bg
        ctx.strokeStyle = pal.record_edge
        ctx.lineWidth = 1
        mid = 0.5 * (cx2 + lx)
        ctx.beginPath()
        ctx.moveTo(cx2, a)
        ctx.bezierCurveTo(mid, a, mid, top + 4, lx + 2, top + 4)
        ctx.lineTo(lx + 2, top + LABEL_H - 4)
        ctx.bezierCurveTo(mid, top + LABEL_H - 4, mid, b, cx2, b)
        ctx.closePath()
        ctx.fill()
        ctx.beginPath()
        ctx.moveTo(cx2, a)
        ctx.bezierCurveTo(mid, a, mid, top + 4, lx + 2, top + 4)
        ctx.moveTo(lx + 2, top + LABEL_H - 4)
        ctx.bezierCurveTo(mid, top + LABEL_H - 4, mid, b, cx2, b)
        ctx.stroke()
        # The box
        hovered = self.hover_key is r.key
        if hovered:
            ctx.shadowColor = pal.button_shadow
            ctx.shadowBlur = 8
            ctx.shadowOffsetY = 1
        ctx.fillStyle = bg
        canvas.round_rect(ctx, lx, top, lw, LABEL_H, 6)
        ctx.fill()
        ctx.shadowBlur = 0
        ctx.shadowOffsetY = 0
        ctx.stroke()
        # Duration (and on narrow labels, on a line of its own with the times)
        duration = item.t2 - r.t1
        drepr = self.app.duration_repr()
        two_lines = lw < 300
        ctx.textBaseline = "middle"
        ctx.textAlign = "left"
        ctx.font = "600 12px " + self._font
        ty = ly - 8 if two_lines else ly + 0.5
        x = lx + 8
        if item.running:
            text = dt.duration_string(duration, True, drepr)
            # The seconds part in a faded colour
            main = text[: len(text) - 3]
            secs = text[len(text) - 3 :]
            ctx.fillStyle = pal.record_text
            ctx.fillText(main, x, ty)
            mw = self._measure(ctx, main)
            ctx.fillStyle = pal.faint
            ctx.font = "11px " + self._font
            ctx.fillText(secs, x + mw, ty + 1)
            x += mw + self._measure(ctx, secs) + 8
        elif two_lines:
            text = dt.duration_string(duration, False, drepr)
            ctx.fillStyle = pal.muted if item.faded else pal.record_text
            ctx.fillText(text, x, ty)
            x += self._measure(ctx, text) + 8
        else:
            # Right-aligned in a slot as wide as a typical long duration, so the
            # descriptions line up.
            text = dt.duration_string(duration, False, drepr)
            slot = self._measure(ctx, "10h00m")
            tw = self._measure(ctx, text)
            ctx.fillStyle = pal.muted if item.faded else pal.record_text
            ctx.fillText(text, x + max(0, slot - tw), ty)
            x += max(slot, tw) + 10
        if two_lines:
            ctx.font = "11px " + self._font
            ctx.fillStyle = pal.muted
            times = (
                dt.format_time(r.t1)
                + " – "
                + ("now" if item.running else dt.format_time(r.t2))
            )
            ctx.fillText(self._fit(ctx, times, lx + lw - 8 - x), x, ty)
            x = lx + 8
            ty = ly + 9
        # Description
        ctx.font = "13px " + self._font
        right = lx + lw - 8
        if item.overlap:
            # "!" in a warning dot at the label's right end
            right -= 22
            ctx.fillStyle = pal.notify
            ctx.beginPath()
            ctx.arc(lx + lw - 16, ly, 8, 0, 2 * Math.PI)
            ctx.fill()
            ctx.fillStyle = "#FFFFFF"
            ctx.font = "bold 12px " + self._font
            ctx.textAlign = "center"
            ctx.fillText("!", lx + lw - 16, ly + 0.5)
            ctx.textAlign = "left"
            ctx.font = "13px " + self._font
        self.draw_description(ctx, r.ds, x, ty, right - x, item.faded, pal)
        tip = item.info.tip
        if item.overlap:
            tip += " · overlaps another record"
        self._hits.append(["label", lx, top, lw, LABEL_H, r])
        self.add_region(lx, top, lw, LABEL_H, tip + " · click to edit", "right")

    # %% Selected record and its flaps (RC-18)

    def _flap_h(self):
        return FLAP_H_TOUCH if self.touch else FLAP_H

    def _draw_selected(self, ctx, pal, item):
        r = item.r
        cx = self.col_x
        cw = self.col_w
        y1 = item.y1
        y2 = item.y2
        fh = self._flap_h()
        read_only = self.app.store.is_read_only
        # Redraw the bar on top, highlighted
        ctx.shadowColor = pal.button_shadow
        ctx.shadowBlur = 8
        ctx.fillStyle = pal.record_running if item.running else pal.record
        canvas.round_rect(ctx, cx - 2, y1, cw + 4, max(2, y2 - y1), 4)
        ctx.fill()
        ctx.shadowBlur = 0
        ctx.strokeStyle = pal.accent
        ctx.lineWidth = 2
        ctx.stroke()
        ctx.lineWidth = 1
        band_colors = item.info.band_colors
        bw = max(4, 8 / Math.sqrt(len(band_colors)))
        for i in range(len(band_colors)):
            ctx.fillStyle = band_colors[i]
            ctx.fillRect(cx + i * bw, y1 + 1, bw, max(1, y2 - y1 - 2))
        if read_only:
            return
        ctx.font = "600 11px " + self._font
        ctx.textAlign = "center"
        ctx.textBaseline = "middle"
        fw = cw + 12
        fx = cx + cw / 2 - fw / 2
        # Top flap: the start
        ctx.fillStyle = pal.accent
        canvas.round_rect(ctx, fx, y1 - fh, fw, fh, 5)
        ctx.fill()
        ctx.fillStyle = "#0F2C3E"
        ctx.fillText(dt.format_time(r.t1), cx + cw / 2, y1 - fh / 2)
        self._hits.append(["start", fx, y1 - fh, fw, fh, r])
        if not item.running:
            ctx.fillStyle = pal.accent
            canvas.round_rect(ctx, fx, y2, fw, fh, 5)
            ctx.fill()
            ctx.fillStyle = "#0F2C3E"
            ctx.fillText(dt.format_time(r.t2), cx + cw / 2, y2 + fh / 2)
            self._hits.append(["end", fx, y2, fw, fh, r])
            self._hits.append(["move", cx - 2, y1, cw + 4, max(2, y2 - y1), r])

    def _draw_creating(self, ctx, pal):
        # The times the new record will get (rounded, clamped to now), so the label
        # and the dialog that opens on release agree.
        ab = timescale.create_times(
            self.creating[0], self.creating[1], self.seconds_per_pixel(), dt.now()
        )
        a = ab[0]
        b = ab[1]
        ya = self.t2y(a)
        yb = self.t2y(b)
        ctx.fillStyle = colors.with_alpha(pal.accent, 0.55)
        canvas.round_rect(ctx, self.col_x + 2, ya, self.col_w - 4, max(2, yb - ya), 5)
        ctx.fill()
        ctx.strokeStyle = pal.accent
        ctx.lineWidth = 2
        ctx.stroke()
        ctx.lineWidth = 1
        ctx.font = "600 12px " + self._font
        ctx.textAlign = "left"
        ctx.textBaseline = "middle"
        ctx.fillStyle = pal.text
        text = (
            dt.format_time(a)
            + " - "
            + dt.format_time(b)
            + "  ("
            + dt.duration_string(b - a, False, self.app.duration_repr())
            + ")"
        )
        ctx.fillText(text, self.label_x, 0.5 * (ya + yb))

    # %% Hit testing

    def hit_test(self, x, y):
        """``[kind, data]`` of the topmost thing at (x, y): "start", "end", "move",
        "label", "bar", "block", "column" or "" (nothing)."""
        for i in range(len(self._hits) - 1, -1, -1):
            hit = self._hits[i]
            if hit[1] <= x <= hit[1] + hit[3] and hit[2] <= y <= hit[2] + hit[4]:
                return [hit[0], hit[5]]
        if self.col_x <= x <= self.col_x + self.col_w:
            return ["column", None]
        return ["", None]
