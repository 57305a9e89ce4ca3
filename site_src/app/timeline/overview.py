"""The overview panel (TL-22) and its tag filter (TL-23), as HTML beside the timeline.

* A "Total" row, then one row per tag combination of the visible range: colour bands
  (click: configure the tag or combination, TG-07/TG-09), one button per tag with a
  coloured ``#`` (click: add the tag to the filter), the duration at the right (with
  ticking seconds when that combination is running), a faint bar proportional to the
  time. Tags inside a combination are ordered by ``tagorder.better_tag_order`` and the
  rows by ``tagorder.grouping_sort`` (TG-13, TG-14). Clicking elsewhere on a row adds
  all its tags to the filter.
* With tags selected, only combinations containing all of them are listed, without
  repeating the selected tags ("General" when nothing is left). The header then has a
  back button (clear the filter; also Backspace), a configure button, one button per
  selected tag (click: remove it) and the filtered total.
* Rows are 30 to 60 px tall to fill the panel, taller where a long combination's tag
  buttons wrap (a phone); more rows scroll (wheel or touch), and a "+ N" bubble at the
  top and bottom says how many rows are out of sight there. New rows grow in; rows
  that leave shrink out (a new selection replaces them all, so both play).

The panel recomputes only when the range, the store, the selection or the second (for
running records) changed, at most every 150 ms while the range moves.
"""

from pscript import window

from ..core import dt, icons, markup, settings, taginfo, tagorder, tags, targets
from . import canvas

ROW_MIN = 30
ROW_MAX = 60


def colors_key(tag_list):
    """The colours of tags as one text: a row or button is rebuilt when it changes
    (a colour set in the tag dialog shows at once, TG-07)."""
    return ",".join([taginfo.get_tag_color(tag) for tag in tag_list])


def compute_rows(stats, selected, running_tagz):
    """Rows of the overview from ``{tagz: seconds}``: a list of ``{key, tags, all_tags,
    duration, running}`` in display order, plus the totals. Pure (no DOM)."""
    total = 0
    for tagz in stats.keys():
        total += stats[tagz]
    order = tagorder.better_tag_order(stats, selected, True, taginfo.get_tag_priority)
    groups = []
    filtered = 0
    for tagz in order.keys():
        duration = stats[tagz] or 0
        filtered += duration
        all_tags = tagz.split(" ")
        groups.append(
            {
                "key": tagz,
                "tags": order[tagz],
                "all_tags": all_tags,
                "colors": colors_key(all_tags),
                "duration": duration,
                "running": running_tagz[tagz] is True,
            }
        )
    groups = tagorder.grouping_sort(groups)
    return {"rows": groups, "total": total, "filtered": filtered}


class Overview:
    """The overview panel of an app."""

    def __init__(self, app, panel):
        self.app = app
        self.panel = panel
        self.title = markup.el("div", "tt-panel-title", "Overview")
        self.head = markup.el("div", "tt-ov-head")
        self.target = markup.el("div", "tt-ov-target")
        self.list = markup.el("div", "tt-ov-list")
        self.empty = markup.el("div", "tt-ov-empty")
        panel.appendChild(self.title)
        panel.appendChild(self.head)
        panel.appendChild(self.target)
        panel.appendChild(self.empty)
        panel.appendChild(self.list)
        self._rows = {}  # key -> row element
        self._key = ""
        self._last_compute = 0
        self._version = 0
        self._head_key = None
        self._data = None
        self.sizer = markup.el("div", "tt-ov-sizer")
        self.list.appendChild(self.sizer)
        self._list_height = 0
        self._row_height = 0
        if window.ResizeObserver:
            window.ResizeObserver(self._on_list_resize).observe(self.list)
        self._positions = []  # [top, height] of each row shown, in order
        self._measured_width = 0
        self.more_above = markup.el("div", "tt-ov-more tt-ov-more-above")
        self.more_below = markup.el("div", "tt-ov-more tt-ov-more-below")
        for bubble in [self.more_above, self.more_below]:
            bubble.setAttribute("aria-hidden", "true")
            bubble.style.display = "none"
            panel.appendChild(bubble)
        self.list.addEventListener("scroll", self._update_more, {"passive": True})
        self.list.addEventListener("click", self._on_list_click)
        self.head.addEventListener("click", self._on_head_click)

    def invalidate(self):
        self._version += 1

    def _on_list_resize(self, entries):
        height = entries[0].contentRect.height
        if abs(height - self._list_height) > 1:
            self._list_height = height
            self._key = ""  # re-render with the new row height
            self.app.request_redraw()

    # %% Updating

    def update(self):
        """Recompute and redraw when something changed (called every frame)."""
        root = self.app.root.classList
        if root.contains("narrow") and not root.contains("show-overview"):
            return  # hidden (a class check: reading the layout would force one)
        app = self.app
        r = app.get_displayed_range()
        now = dt.now()
        live = r[0] <= now <= r[1] + 1
        second = Math.floor(now) if live else 0
        key = (
            str(r[0])
            + ":"
            + str(r[1])
            + ":"
            + self._version
            + ":"
            + " ".join(app.selected_tags)
            + ":"
            + second
        )
        moving = app.is_moving()
        if moving:
            key += ":moving"
            app.request_redraw()  # frames go on until it stops, for the full update
        if key is self._key:
            return
        t = window.performance.now()
        if moving and t - self._last_compute < 100:
            return
        self._key = key
        self._last_compute = t
        if (
            moving
            and self._data is not None
            and self._data.selection == " ".join(app.selected_tags)
        ):
            self._update_durations(r)  # cheap: rows and their order stay
        else:
            self._compute_and_render(r, now)

    def _update_durations(self, r):
        """While the range moves: new durations for the rows shown, nothing else
        (the full update with ordering and new rows follows when it stops)."""
        stats = self.app.store.records.get_stats(r[0], r[1])
        data = self._data
        total = 0
        for tagz in stats.keys():
            total += stats[tagz]
        filtered = 0
        for row in data.rows:
            row.duration = stats[row.key] or 0
            filtered += row.duration
        data.total = total
        data.filtered = filtered if len(self.app.selected_tags) > 0 else total
        self._render_head(data)
        self._render_rows(data)

    def _compute_and_render(self, r, now):
        app = self.app
        store = app.store
        stats = store.records.get_stats(r[0], r[1])
        running = {}
        if r[0] <= now <= r[1] + 1:
            for rec in store.records.get_running_records():
                tagz = tags.get_tagz(rec.ds)
                running[tagz] = True
                if stats[tagz] is undefined:
                    # A timer started this second is listed at once.
                    stats = window.Object.assign({}, stats)
                    stats[tagz] = 0
        data = compute_rows(stats, app.selected_tags, running)
        data.selection = " ".join(app.selected_tags)
        self._data = data
        self._render_head(data)
        self._render_rows(data)

    def _duration_parts(self, seconds, running):
        """``[main, seconds]`` texts of a duration (seconds only when running)."""
        drepr = self.app.duration_repr()
        if running:
            text = dt.duration_string(seconds, True, drepr)
            return [text[: len(text) - 3], text[len(text) - 3 :]]
        return [dt.duration_string(seconds, False, drepr), ""]

    def _set_duration(self, node, seconds, running):
        """Show a duration in a node with ``.main`` and ``.secs`` spans (text only:
        no HTML parsing while panning)."""
        parts = self._duration_parts(seconds, running)
        if node.dur_main is undefined:
            node.innerHTML = '<span class="main"></span><span class="secs"></span>'
            node.dur_main = node.firstChild
            node.dur_secs = node.lastChild
        if node.dur_main.textContent is not parts[0]:
            node.dur_main.textContent = parts[0]
        if node.dur_secs.textContent is not parts[1]:
            node.dur_secs.textContent = parts[1]

    def _render_head(self, data):
        selected = self.app.selected_tags
        any_running = False
        for row in data.rows:
            if row.running:
                any_running = True
        if len(selected) == 0:
            head_key = "total"
        else:
            head_key = "sel:" + " ".join(selected) + ":" + colors_key(selected)
        if head_key != self._head_key:
            self._head_key = head_key
            if len(selected) == 0:
                self.head.innerHTML = (
                    '<div class="tt-ov-total"><span class="tt-ov-total-label">Total</span>'
                    + '<span class="tt-ov-dur"></span></div>'
                )
                self.target.innerHTML = ""
                self.target.style.display = "none"
            else:
                conf_icon = icons.icon("tag" if len(selected) == 1 else "tags")
                html = (
                    '<button type="button" class="tt-tb tt-ov-back" data-action="back" '
                    + 'aria-label="Back to the overview">'
                    + icons.icon("back")
                    + "</button>"
                    + '<button type="button" class="tt-tb tt-ov-config" data-action="config" '
                    + 'aria-label="Configure">'
                    + conf_icon
                    + "</button>"
                )
                for tag in selected:
                    html += (
                        '<button type="button" class="tt-tb tt-tagbtn tt-ov-sel" '
                        + 'data-action="unselect" data-tag="'
                        + markup.escape(tag)
                        + '">'
                        + markup.tag_html(tag)
                        + "</button>"
                    )
                html += '<span class="tt-ov-dur"></span>'
                self.head.innerHTML = '<div class="tt-ov-filter">' + html + "</div>"
                self.target.style.display = ""
                self.target.innerHTML = (
                    '<div class="tt-ov-target-text"><span></span><span></span></div>'
                    + '<div class="tt-ov-target-bar"><i></i></div>'
                )
                nodes = self.head.querySelectorAll("[data-action]")
                for i in range(nodes.length):
                    node = nodes[i]
                    action = node.getAttribute("data-action")
                    if action == "back":
                        canvas.attach_tooltip(node, "Back to all tags (Backspace)")
                    elif action == "config":
                        canvas.attach_tooltip(
                            node, "Configure colour, priority, target"
                        )
                    else:
                        canvas.attach_tooltip(node, "Click to remove from the filter")
        dur = self.head.querySelector(".tt-ov-dur")
        value = data.total if len(selected) == 0 else data.filtered
        if dur:
            self._set_duration(dur, value, any_running)
        if len(selected) > 0:
            self._render_target(selected, data.filtered)

    def _render_target(self, selected, tracked):
        """The target progress of the selected tag or combination (TL-23, TP-03)."""
        r = self.app.get_displayed_range()
        info = taginfo.get_tag_info(" ".join(selected))
        progress = targets.target_progress(
            info.targets,
            r[0],
            r[1],
            tracked,
            targets.user_calendar(settings.peek),  # workdays, work week, days off
            self.app.duration_repr(),
        )
        spans = self.target.querySelectorAll(".tt-ov-target-text span")
        bar = self.target.querySelector(".tt-ov-target-bar")
        if len(spans) < 2 or not bar:
            return
        if progress is None:
            spans[0].textContent = "No target"
            spans[1].textContent = ""
            bar.style.display = "none"
            return
        spans[0].textContent = progress.text
        spans[1].textContent = progress.right_text
        bar.style.display = "" if progress.percent is not None else "none"
        percent = progress.percent or 0
        fill = bar.firstChild
        fill.style.width = str(min(100, percent)) + "%"
        fill.classList.toggle("over", percent > 100)

    def _render_rows(self, data):
        rows = data.rows
        n = len(rows)
        avail = self._list_height or 300
        height = (
            ROW_MAX if n == 0 else max(ROW_MIN, min(ROW_MAX, Math.floor(avail / n) - 6))
        )
        height_changed = height is not self._row_height
        if height_changed:
            self._row_height = height
            self.list.style.setProperty("--row-h", height + "px")
        biggest = 1
        for row in rows:
            biggest = max(biggest, row.duration)
        seen = {}
        # Rows are placed with ``translate``, not by their order in the DOM: a new
        # order (frequent while panning) then costs no DOM moves, and rows slide.
        # Their heights are measured when made (or when the width or the base height
        # changed): long combinations wrap to more lines.
        width = self.list.clientWidth
        remeasure = width != self._measured_width or height_changed
        self._measured_width = width
        nodes = []
        for i in range(n):
            row = rows[i]
            key = row.key
            seen[key] = True
            node = self._rows[key]
            label_key = " ".join(row.tags) + "|" + row.colors
            if node is undefined or node.label_key != label_key:
                if node is not undefined:
                    self._leave(node)
                node = self._make_row(row)
                node.label_key = label_key
                node.h = 0
                self._rows[key] = node
                self.list.appendChild(node)
            nodes.append(node)
            # Touch the DOM only where something changed (this runs while panning).
            if node.is_running is not row.running:
                node.is_running = row.running
                node.classList.toggle("running", row.running)
            self._set_duration(node.dur_node, row.duration, row.running)
            fill = str(Math.round(1000 * row.duration / biggest) / 10) + "%"
            if node.fill_width is not fill:
                node.fill_width = fill
                node.fill_node.style.width = fill
            node.row_data = row
        y = 0
        positions = []
        for node in nodes:
            if remeasure or not node.h:
                node.h = node.offsetHeight or height
            ty = "0px " + str(y) + "px"
            if node.y_translate is not ty:
                node.y_translate = ty
                node.style.translate = ty
            positions.append([y, node.h])
            y += node.h + 6
        self._positions = positions
        sizer = str(y) + "px"
        if self.sizer.style.height != sizer:
            self.sizer.style.height = sizer
        for key in list(self._rows.keys()):
            if not seen[key]:
                self._leave(self._rows[key])
                del self._rows[key]
        self._update_more()
        if n == 0:
            self.empty.textContent = (
                "No records match the selected tags in this period."
                if len(self.app.selected_tags) > 0
                else "Nothing tracked in this period."
            )
            self.empty.style.display = ""
        else:
            self.empty.style.display = "none"

    def _leave(self, node):
        """A row that is no longer listed shrinks out, then goes (TL-22)."""
        node.classList.add("tt-ov-leaving")
        node.row_data = None  # no clicks on its way out
        node.removeAttribute("data-key")  # a new row of that key may come meanwhile
        window.setTimeout(lambda: node.remove(), 260)

    def _update_more(self, *args):
        """The "+ N" bubbles: rows entirely above or below the visible part."""
        # Rows sit 4 px down in the list; one showing less than 8 px counts as hidden.
        top = self.list.scrollTop + 8 - 4
        bottom = self.list.scrollTop + self.list.clientHeight - 8 - 4
        above = 0
        below = 0
        for pos in self._positions:
            if pos[0] + pos[1] <= top:
                above += 1
            elif pos[0] >= bottom:
                below += 1
        self._set_more(self.more_above, above)
        self._set_more(self.more_below, below)
        if above > 0 or below > 0:
            lt = self.list.offsetTop
            self.more_above.style.top = str(lt + 4) + "px"
            self.more_below.style.top = str(lt + self.list.offsetHeight - 30) + "px"

    def _set_more(self, bubble, count):
        text = "+ " + str(count) if count > 0 else ""
        if bubble.textContent != text:
            bubble.textContent = text
            bubble.style.display = "" if count > 0 else "none"

    def _make_row(self, row):
        node = markup.el("div", "tt-ov-row")
        node.setAttribute("data-key", row.key)
        fill = markup.el("div", "tt-ov-fill")
        node.appendChild(fill)
        bands = markup.el("button", "tt-ov-bands")
        bands.setAttribute("type", "button")
        bands.setAttribute("data-action", "config")
        bands.setAttribute("aria-label", "Configure " + row.key)
        band_tags = row.all_tags
        html = ""
        for tag in band_tags:
            html += (
                '<i style="background:'
                + markup.escape(taginfo.get_tag_color(tag))
                + '"></i>'
            )
        bands.innerHTML = html
        canvas.attach_tooltip(bands, "Change colour, priority or target")
        node.appendChild(bands)
        tagbox = markup.el("div", "tt-ov-tags")
        if len(row.tags) == 0:
            tagbox.appendChild(markup.el("span", "tt-ov-general", "General"))
        for tag in row.tags:
            b = markup.el("button", "tt-tb tt-tagbtn", markup.tag_html(tag))
            b.setAttribute("type", "button")
            b.setAttribute("data-action", "select")
            b.setAttribute("data-tag", tag)
            canvas.attach_tooltip(b, self._tag_tooltip_func(tag))
            tagbox.appendChild(b)
        node.appendChild(tagbox)
        node.dur_node = markup.el("div", "tt-ov-dur")
        node.appendChild(node.dur_node)
        node.fill_node = fill
        return node

    def _tag_tooltip_func(self, tag):
        def tooltip():
            total = 0
            if self._data is not None:
                for row in self._data.rows:
                    if tag in row.all_tags:
                        total += row.duration
            return (
                tag
                + ": "
                + dt.duration_string(total, False, self.app.duration_repr())
                + " in view · click to filter"
            )

        return tooltip

    # %% Input

    def _on_list_click(self, event):
        target = event.target
        button = target.closest("[data-action]")
        row = target.closest(".tt-ov-row")
        if row is None:
            return
        data = row.row_data
        if data is undefined or data is None:
            return
        if button is not None and button.getAttribute("data-action") == "select":
            self.app.select_tags([button.getAttribute("data-tag")])
        elif button is not None and button.getAttribute("data-action") == "config":
            self.app.actions.configure_tags(data.all_tags)
        else:
            self.app.select_tags(data.tags)

    def _on_head_click(self, event):
        button = event.target.closest("[data-action]")
        if button is None:
            return
        action = button.getAttribute("data-action")
        if action == "back":
            self.app.clear_selection()
        elif action == "config":
            self.app.actions.configure_tags(list(self.app.selected_tags))
        elif action == "unselect":
            self.app.unselect_tag(button.getAttribute("data-tag"))
