"""Targets at a glance: every target (TP-01) with its progress in the current day, week,
month or year, and the user's work calendar: the work week (the working days, chosen
by the user) and the days off, which lower the week's and month's targets.

``TargetsDialog(app).open()`` (the menu's "Targets"). The rows come from
``targets.glance`` over ``targetglance.all_targets()`` and the store's statistics; the work
week and the days off are the synced settings ``work_week`` and ``days_off`` (read
strictly by ``targets``). Tag names reach the page through ``markup`` only.
"""

from ..core import dt, icons, markup, settings, taginfo, targetglance, targets
from . import basedialog

BaseDialog = basedialog.BaseDialog
PERIOD_TITLES = {
    "day": "Today",
    "week": "This week",
    "month": "This month",
    "year": "This year",
}
DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


def progress_texts(row, duration_repr="hms"):
    """``[main, side]`` texts of a glance row: ``3h00m of 6h00m (50%)`` and
    ``left: 3h00m`` / ``over: 1h00m`` / ``day off``."""
    done = dt.duration_string(row.tracked, False, duration_repr)
    if row.target <= 0:
        return [done + " tracked", "day off" if row.period == "day" else "no work days"]
    goal = dt.duration_string(row.target, False, duration_repr)
    main = done + " of " + goal + " (" + str(row.percent) + "%)"
    if row.over > 0:
        return [main, "over: " + dt.duration_string(row.over, False, duration_repr)]
    return [main, "left: " + dt.duration_string(row.left, False, duration_repr)]


def week_order(first_day_of_week):
    """The weekdays (0 = Sunday) in the order of the user's week."""
    return [(first_day_of_week + i) % 7 for i in range(7)]


class TargetsDialog(BaseDialog):
    """See the module docstring."""

    css_class = "tt-targets-dialog"

    def open(self, callback=None):
        self._unsubscribe = []
        self._build_frame("Targets", "hourglass")
        self.body.innerHTML = (
            '<div class="tt-tp-list" aria-live="polite"></div>'
            + '<h3 class="tt-section-title">Work week</h3>'
            + '<div class="tt-tp-week" role="group" aria-label="Working days"></div>'
            + '<div class="tt-note tt-tp-week-note"></div>'
            + '<button type="button" class="tt-small tt-tp-week-reset" hidden>'
            + "Follow the Workdays setting</button>"
            + '<h3 class="tt-section-title">Days off</h3>'
            + '<div class="tt-tp-add"><input type="date" class="tt-tp-date" aria-label="Day off">'
            + '<button type="button" class="tt-btn tt-tp-add-btn">'
            + icons.icon("plus")
            + "Add day off</button></div>"
            + '<ul class="tt-tp-days"></ul>'
            + '<div class="tt-note">A day off counts as a free day: it lowers the'
            " targets of its week and month, and a day target is 0 on it.</div>"
        )
        self.footer.innerHTML = (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-primary'
            ' tt-tp-close">Close</button></div>'
        )
        self.footer.querySelector(".tt-tp-close").onclick = lambda e: self.close()
        self.body.querySelector(".tt-tp-week").addEventListener(
            "change", self._on_week_change, False
        )
        self.body.querySelector(".tt-tp-add-btn").onclick = self._on_add_day
        self.body.querySelector(".tt-tp-week-reset").onclick = self._on_week_reset
        self.body.querySelector(".tt-tp-days").addEventListener(
            "click", self._on_days_click, False
        )
        self._date = self.body.querySelector(".tt-tp-date")
        self._date.value = dt.format_isodate(dt.now())
        self._render()
        self._unsubscribe.append(settings.on_change(self._on_setting_change))
        store = self._app.store
        if store and store.on_change:
            self._unsubscribe.append(store.on_change(self._on_store_change))
        self._show(callback)
        return self

    def _on_close(self):
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def _on_setting_change(self, key):
        if (
            key.startswith("taginfo")
            or key == "work_week"
            or key == "days_off"
            or key == "workdays"
            or key == "first_day_of_week"
            or key == "tag_targets"
        ):
            self._render()

    def _on_store_change(self, what):
        if what == "records" and self._is_shown:
            self._render_list()

    def _render(self):
        self._render_list()
        self._render_week()
        self._render_days()

    # The targets

    def _render_list(self):
        node = self.body.querySelector(".tt-tp-list")
        target_list = targetglance.all_targets()
        if len(target_list) == 0:
            node.innerHTML = (
                '<p class="tt-note">No targets yet: set one in a tag\'s dialog (click a'
                " tag in the overview, or search it and choose Manage).</p>"
            )
            return
        store = self._app.store

        def get_stats(t1, t2):
            return store.records.get_stats(t1, t2) if store else {}

        rows = targetglance.glance(
            target_list,
            get_stats,
            dt.now(),
            targets.user_calendar(settings.get),
            settings.get("first_day_of_week"),
        )
        drepr = settings.get("duration_repr")
        html = ""
        period = ""
        for row in rows:
            if row.period != period:
                if period:
                    html += "</ul>"
                period = row.period
                html += (
                    '<h3 class="tt-section-title">'
                    + PERIOD_TITLES[period]
                    + '</h3><ul class="tt-tp-rows">'
                )
            texts = progress_texts(row, drepr)
            percent = row.percent or 0
            color = taginfo.get_tag_color(row.tags[0] if len(row.tags) else "")
            html += (
                '<li class="tt-tp-row" data-tagz="'
                + markup.escape(row.tagz)
                + '" data-percent="'
                + str(row.percent if row.percent is not None else "")
                + '"><div class="tt-tp-line"><span class="tt-tp-tags">'
                + " ".join([markup.tag_html(tag) for tag in row.tags])
                + '</span><span class="tt-tp-side">'
                + markup.escape(texts[1])
                + "</span></div>"
                + '<div class="tt-tp-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"'
                + ' aria-valuenow="'
                + str(min(100, percent))
                + '"><div class="tt-tp-fill'
                + (" tt-over" if percent > 100 else "")
                + '" style="width:'
                + str(min(100, percent))
                + "%;background:"
                + color
                + '"></div></div>'
                + '<div class="tt-tp-main">'
                + markup.escape(texts[0])
                + (
                    " \u00b7 "
                    + str(row.days_off)
                    + " day"
                    + ("" if row.days_off == 1 else "s")
                    + " off"
                    if row.days_off and row.period != "day"
                    else ""
                )
                + "</div></li>"
            )
        html += "</ul>"
        node.innerHTML = html

    # The work week

    def _render_week(self):
        week = targets.clean_work_week(settings.get("work_week"))
        free = targets.free_weekdays(targets.user_calendar(settings.get))
        html = ""
        for day in week_order(settings.get("first_day_of_week") or 0):
            checked = free.indexOf(day) < 0
            html += (
                '<label class="tt-tp-day"><input type="checkbox" data-day="'
                + str(day)
                + '"'
                + (" checked" if checked else "")
                + "><span>"
                + DAY_NAMES[day]
                + "</span></label>"
            )
        self.body.querySelector(".tt-tp-week").innerHTML = html
        note = self.body.querySelector(".tt-tp-week-note")
        self.body.querySelector(".tt-tp-week-reset").hidden = len(week) == 0
        if len(week):
            note.textContent = "Your own work week: targets count these days only."
        else:
            note.textContent = (
                "From the Workdays setting; tick or untick days for a work week of"
                " your own."
            )

    def _on_week_change(self, e):
        days = []
        for box in markup.query_all(self.body, ".tt-tp-week input"):
            if box.checked:
                days.append(int(box.dataset.day))
        if len(days) == 0:
            # no working day at all would make every target 0: keep the last one
            self._render()
            note = self.body.querySelector(".tt-tp-week-note")
            note.textContent = "A work week needs at least one working day."
            return
        settings.set("work_week", days)
        self._render()

    def _on_week_reset(self, e):
        settings.set("work_week", [])
        self._render()

    # Days off

    def _render_days(self):
        days = targets.clean_days_off(settings.get("days_off"))
        today = dt.format_isodate(dt.now())
        html = ""
        for day in days:
            parts = day.split("-")
            t = dt.make_time(int(parts[0]), int(parts[1]), int(parts[2]))
            html += (
                '<li class="tt-tp-off'
                + (" tt-past" if day < today else "")
                + '"><span>'
                + markup.escape(
                    DAY_NAMES[dt.weekday(t)]
                    + " "
                    + dt.format_date(t, settings.get("date_repr"))
                )
                + '</span><button type="button" class="tt-small tt-tp-remove" data-day="'
                + markup.escape(day)
                + '" aria-label="Remove this day off" title="Remove">'
                + icons.icon("close")
                + "</button></li>"
            )
        if not html:
            html = '<li class="tt-note">No days off.</li>'
        self.body.querySelector(".tt-tp-days").innerHTML = html

    def _on_add_day(self, e):
        value = str(self._date.value or "")
        days = targets.clean_days_off(settings.get("days_off"))
        if len(targets.clean_days_off([value])) == 0:
            self._date.classList.add("tt-invalid")
            return
        self._date.classList.remove("tt-invalid")
        if days.indexOf(value) < 0:
            days.append(value)
            settings.set("days_off", targets.clean_days_off(days))
        self._render()

    def _on_days_click(self, e):
        button = e.target.closest(".tt-tp-remove") if e.target.closest else None
        if not button:
            return
        day = button.dataset.day
        days = [d for d in targets.clean_days_off(settings.get("days_off")) if d != day]
        settings.set("days_off", days)
        self._render()
