"""The report dialog (RP-01 ... RP-12, RP-14): the time spent in a date range, grouped
and rounded, as a table that can be copied, saved as CSV or as PDF.

``ReportDialog(app).open()`` reports on the whole dates of the timeline's range
(RP-01: nearest midnights, inclusive end date) and on the overview's selected tags.
The date button opens the time-range dialog (TL-12) on top; when it closes, the report
follows the new range (RP-03). Grouping (none / tags / description), period, "hide
secondary tags", duration format and "show records" are kept per device (ST-13 ...
ST-17, RP-10) and rebuild the table at once; every rebuild also moves the timeline to
the reported range (RP-14). The rows come from ``reports.build_report``; descriptions
open the record dialog. Copy table (RP-11) puts an HTML table and tab-separated text
on the clipboard; Save CSV (RP-12) and Save PDF (RP-13, module ``pdfexport``, whose
library is loaded on first use) download files named ``timetagger-YYYYMMDD[-YYYYMMDD]``.

Also home of two small helpers the other dialogs of this family use: ``download``
(a file from text or a Blob) and ``copy_rich`` (HTML + plain text to the clipboard).
The "Share\u2026" part (``sharepanel``, logged-in users only) makes a read-only
link to the report's tags and dates and lists the links with Revoke.
Above the table, the charts (``reportcharts``): time per tag and time per period
stacked by tag, in the tag colours with the theme's text colours; with hourly
rates, earnings per row and in total, with the rule (``reports.RATE_RULE``).
The table itself comes from ``reporttable`` (shared with the shared page), the
records' descriptions made links by ``record_link``. Pure helpers (``report_info``,
``clipboard_table``) are tested in node.
"""

from pscript import window

from ..core import dt, icons, markup, settings, taginfo, theme
from ..dialogs import basedialog, recorddialog, timerangedialog
from . import csvtext, pdfexport, reportcharts, reports, reporttable, sharepanel

# ST-13 ... ST-17: the report options and their settings keys (device settings).
OPTION_KEYS = {
    "grouping": "report_grouping",
    "groupperiod": "report_groupperiod",
    "hidesecondary": "report_hidesecondary",
    "format": "report_format",
    "showrecords": "report_showrecords",
}
GROUPING_LABELS = [["none", "None"], ["tagz", "Tags"], ["ds", "Description"]]
PERIOD_LABELS = [
    ["none", "None"],
    ["day", "Day"],
    ["week", "Week"],
    ["month", "Month"],
    ["quarter", "Quarter"],
    ["year", "Year"],
]

# %% Pure helpers


def read_options(get):
    """The report options from the settings (``get(key)``), normalised."""
    opts = {}
    for name in OPTION_KEYS.keys():
        opts[name] = get(OPTION_KEYS[name])
    return reports.normalize_options(opts)


def report_info(first_day, last_day, filter_tags, date_repr, username=""):
    """What the report is about, as texts: ``{tags, from, until, range}`` (the
    filter tags or "all", the formatted first and last date, and the date range as
    shown on the date button)."""
    a = dt.format_date(first_day, date_repr)
    b = dt.format_date(last_day, date_repr)
    return {
        "tags": " ".join(filter_tags) if filter_tags and len(filter_tags) else "all",
        "from": a,
        "until": b,
        "range": a if a == b else a + " \u2013 " + b,
        "username": username or "",
    }


def clipboard_table(report, username=""):
    """The report as the copied table: ``[html, text]``. Same columns as the CSV
    (RP-12) with its header; the text is tab-separated (tabs and line breaks in a
    field become spaces; formulas neutralised as in the CSV), the HTML a plain table
    that spreadsheets paste as cells."""
    rows = [reports.csv_header(report)]
    for row in reports.table_rows(report, username):
        rows.append([str(v).split("\t").join(" ").split("\n").join(" ") for v in row])
    html = "<table>"
    for row in rows:
        html += "<tr>"
        for value in row:
            html += "<td>" + markup.escape(csvtext.neutralise(value)) + "</td>"
        html += "</tr>"
    html += "</table>"
    return [html, csvtext.tsv_text(rows)]


def record_link(i, html):
    """A record's description in the table as a link that opens the record dialog
    (``data-row``: the row's index in ``report.rows``)."""
    return (
        '<a href="#" role="button" data-row="'
        + str(i)
        + '" title="Edit this record">'
        + html
        + "</a>"
    )


# %% Downloads and the clipboard (shared with the export dialog)


def download(filename, data, mime="text/plain"):
    """Let the browser save ``data`` (text or a Blob) as ``filename``."""
    if isinstance(data, str):
        blob = window.Blob([data], {"type": mime + ";charset=utf-8"})
    else:
        blob = data
    url = window.URL.createObjectURL(blob)
    a = window.document.createElement("a")
    a.href = url
    a.download = filename
    a.style.display = "none"
    window.document.body.appendChild(a)
    a.click()
    a.remove()
    window.setTimeout(lambda: window.URL.revokeObjectURL(url), 10000)


def _copy_by_selection(html):
    """The older way: select a rendered copy of the table and let the browser copy
    it. Returns whether the browser said it copied."""
    holder = window.document.createElement("div")
    holder.className = "tt-copy-holder"
    holder.innerHTML = html
    window.document.body.appendChild(holder)
    selection = window.getSelection()
    selection.removeAllRanges()
    rng = window.document.createRange()
    rng.selectNodeContents(holder)
    selection.addRange(rng)
    ok = False
    try:
        ok = window.document.execCommand("copy")
    except Exception:
        ok = False
    selection.removeAllRanges()
    holder.remove()
    return ok


async def copy_rich(html, text):
    """Put a table on the clipboard as HTML and as plain text (RP-11, IE-10).
    Returns True on success, False when the browser did not allow it."""
    clip = window.navigator.clipboard
    if clip and clip.write and window.ClipboardItem:
        try:
            item = window.ClipboardItem(
                {
                    "text/html": window.Blob([html], {"type": "text/html"}),
                    "text/plain": window.Blob([text], {"type": "text/plain"}),
                }
            )
            await clip.write([item])
            return True
        except Exception:
            pass  # e.g. no permission: try the selection below
    if _copy_by_selection(html):
        return True
    if clip and clip.writeText:
        try:
            await clip.writeText(text)
            return True
        except Exception:
            pass
    return False


def flash_done(button, html_after=None):
    """Show a check mark on a button for 0.8 s (RP-11)."""
    old = button.innerHTML
    button.classList.add("tt-done")
    button.querySelector(".tt-act-icon").innerHTML = icons.icon("check")

    def restore():
        button.classList.remove("tt-done")
        button.innerHTML = html_after or old

    window.setTimeout(restore, 800)


# %% The dialog

BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


def _options_html(pairs, selected):
    html = ""
    for pair in pairs:
        sel = " selected" if pair[0] == selected else ""
        html += (
            '<option value="'
            + pair[0]
            + '"'
            + sel
            + ">"
            + markup.escape(pair[1])
            + "</option>"
        )
    return html


def action_html(cls, icon_name, label, caption):
    return (
        '<button type="button" class="tt-action '
        + cls
        + '"><span class="tt-act-icon">'
        + icons.icon(icon_name)
        + '</span><span class="tt-act-text"><strong>'
        + label
        + "</strong><small>"
        + caption
        + "</small></span></button>"
    )


class ReportDialog(BaseDialog):
    """The report (RP-02): options, actions and the table."""

    css_class = "tt-report-dialog"

    def open(self, callback=None):
        app = self._app
        r = app.get_range()
        days = reports.range_to_dates(r[0], r[1])
        self._first_day = days[0]
        self._last_day = days[1]
        self._filter_tags = list(app.selected_tags or [])
        self._report = None
        self._unsubscribe = []
        self._refresh_timer = None
        self._build_frame("Report", "table")
        self._create_dom()
        self._show(callback)
        self._rebuild(True)
        store = app.store
        if store and store.on_change:
            self._unsubscribe.append(store.on_change(self._on_store_change))
        self._unsubscribe.append(settings.on_change(self._on_setting_change))
        return self

    def _create_dom(self):
        opts = read_options(settings.get)
        fmt_pairs = [[f[0], f[1]] for f in reports.FORMATS]
        self.body.innerHTML = (
            '<div class="tt-rp-head">'
            + '<div class="tt-rp-field tt-rp-range-field"><span class="tt-label">Date range</span>'
            + '<button type="button" class="tt-small tt-rp-range" title="Choose the date range">'
            + icons.icon("calendar")
            + '<span class="tt-rp-range-text"></span>'
            + icons.icon("chevron")
            + "</button></div>"
            + '<div class="tt-rp-field tt-rp-tags-field"><span class="tt-label">Tags</span>'
            + '<div class="tt-rp-tags"></div></div>'
            + "</div>"
            + '<div class="tt-rp-options">'
            + '<label class="tt-rp-field"><span class="tt-label">Group by</span>'
            + '<select class="tt-rp-grouping">'
            + _options_html(GROUPING_LABELS, opts.grouping)
            + "</select></label>"
            + '<label class="tt-rp-field"><span class="tt-label">Per period</span>'
            + '<select class="tt-rp-period-select">'
            + _options_html(PERIOD_LABELS, opts.groupperiod)
            + "</select></label>"
            + '<label class="tt-rp-field"><span class="tt-label">Durations</span>'
            + '<select class="tt-rp-format">'
            + _options_html(fmt_pairs, opts.format)
            + "</select></label>"
            + '<div class="tt-rp-field tt-rp-checks"><span class="tt-label">Details</span>'
            + '<label class="tt-check"><input type="checkbox" class="tt-rp-showrecords"> Show records</label>'
            + '<label class="tt-check"><input type="checkbox" class="tt-rp-hidesecondary"> Hide secondary tags</label>'
            + "</div></div>"
            + '<div class="tt-rp-actions">'
            + action_html(
                "tt-rp-copy", "copy", "Copy table", "to paste in a spreadsheet"
            )
            + action_html(
                "tt-rp-csv", "download", "Save CSV", "spreadsheet with details"
            )
            + action_html("tt-rp-pdf", "file", "Save PDF", "to archive or send")
            + "</div>"
            + '<div class="tt-rp-share-wrap"></div>'
            + '<div class="tt-rp-status" role="status" aria-live="polite"></div>'
            + '<div class="tt-rp-charts" hidden>'
            + '<figure class="tt-rp-chart"><figcaption class="tt-label">Time per tag</figcaption>'
            + '<canvas class="tt-rp-chart-tags" role="img"></canvas></figure>'
            + '<figure class="tt-rp-chart"><figcaption class="tt-label">Time per'
            + ' <span class="tt-rp-chart-period"></span></figcaption>'
            + '<canvas class="tt-rp-chart-periods" role="img"></canvas></figure></div>'
            + '<div class="tt-rp-table-wrap"></div>'
        )
        q = self._q
        self._range_text = q(".tt-rp-range-text")
        self._tags_node = q(".tt-rp-tags")
        self._status = q(".tt-rp-status")
        self._table_wrap = q(".tt-rp-table-wrap")
        self._charts = q(".tt-rp-charts")
        self._chart_data = None
        self._resize_observer = None
        if window.ResizeObserver:
            # redraw the charts at their new width (phone rotation, window resize)
            self._resize_observer = window.ResizeObserver(self._on_charts_resize)
            self._resize_observer.observe(self._charts)
        self._sel_grouping = q(".tt-rp-grouping")
        self._sel_period = q(".tt-rp-period-select")
        self._sel_format = q(".tt-rp-format")
        self._chk_records = q(".tt-rp-showrecords")
        self._chk_secondary = q(".tt-rp-hidesecondary")
        self._chk_records.checked = opts.showrecords
        self._chk_secondary.checked = opts.hidesecondary
        for el in [
            self._sel_grouping,
            self._sel_period,
            self._sel_format,
            self._chk_records,
            self._chk_secondary,
        ]:
            el.addEventListener("change", self._on_option_change, False)
        q(".tt-rp-range").addEventListener("click", self._on_range_click, False)
        q(".tt-rp-copy").addEventListener("click", self._on_copy, False)
        q(".tt-rp-csv").addEventListener("click", self._on_csv, False)
        q(".tt-rp-pdf").addEventListener("click", self._on_pdf, False)
        self._table_wrap.addEventListener("click", self._on_table_click, False)
        store = self._app.store
        if store and store.kind == "connected":
            sharepanel.SharePanel(q(".tt-rp-share-wrap"), self._share_what)

    def _share_what(self):
        """What a new shared link shows: the report's filter tags and dates."""
        r = reports.dates_to_range(self._first_day, self._last_day)
        return {"tags": list(self._filter_tags), "t1": r[0], "t2": r[1]}

    def _q(self, selector):
        return self.body.querySelector(selector)

    # Options (RP-10)

    def _on_option_change(self, e):
        settings.set(OPTION_KEYS.grouping, self._sel_grouping.value)
        settings.set(OPTION_KEYS.groupperiod, self._sel_period.value)
        settings.set(OPTION_KEYS.format, self._sel_format.value)
        settings.set(OPTION_KEYS.showrecords, bool(self._chk_records.checked))
        settings.set(OPTION_KEYS.hidesecondary, bool(self._chk_secondary.checked))
        self._rebuild(True)

    def _on_setting_change(self, key):
        # Another tab changed a report option, or a synced setting that shows here.
        if (
            key == "date_repr"
            or key == "first_day_of_week"
            or key == "currency"
            or key.startswith("taginfo")
        ):
            self._schedule_refresh()

    def _on_store_change(self, what):
        if what == "records":
            self._schedule_refresh()

    def _schedule_refresh(self):
        if self._refresh_timer is not None:
            return

        def refresh():
            self._refresh_timer = None
            if self._is_shown:
                self._rebuild(False)

        self._refresh_timer = window.setTimeout(refresh, 300)

    def _on_close(self):
        if self._resize_observer is not None:
            self._resize_observer.disconnect()
            self._resize_observer = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._refresh_timer is not None:
            window.clearTimeout(self._refresh_timer)
            self._refresh_timer = None

    # The date range (RP-03)

    def _on_range_click(self, e):
        self._move_timeline()
        timerangedialog.TimeRangeDialog(self._app).open(self._after_range_dialog)

    def _after_range_dialog(self, value=None):
        r = self._app.get_range()
        days = reports.range_to_dates(r[0], r[1])
        self._first_day = days[0]
        self._last_day = days[1]
        if self._is_shown:
            self._rebuild(True)

    def _move_timeline(self):
        r = reports.dates_to_range(self._first_day, self._last_day)
        if self._app.animate_range:
            self._app.animate_range(r[0], r[1], False)

    # Building

    def _options(self):
        opts = read_options(settings.get)
        opts.date_repr = settings.get("date_repr")
        opts.first_day_of_week = settings.get("first_day_of_week")
        opts.tags = self._filter_tags
        opts.priorities = taginfo.get_tag_priority
        opts.rates = taginfo.get_tag_rate
        opts.currency = settings.get("currency")
        store = self._app.store
        opts.username = store.username if store and store.kind == "connected" else ""
        return opts

    def _rebuild(self, move_timeline):
        """Build the report again and render it (RP-10: on every change)."""
        opts = self._options()
        r = reports.dates_to_range(self._first_day, self._last_day)
        t1 = r[0]
        t2 = r[1]
        records = []
        store = self._app.store
        if store and store.records and dt.fields(t1)[0] > 1899:
            records = store.records.get_records(t1, t2)
        self._report = reports.build_report(records, t1, t2, opts)
        self._info = report_info(
            self._first_day, self._last_day, opts.tags, opts.date_repr, opts.username
        )
        self._range_text.textContent = self._info.range
        if len(self._filter_tags):
            self._tags_node.innerHTML = " ".join(
                [markup.tag_html(tag) for tag in self._filter_tags]
            )
        else:
            self._tags_node.innerHTML = (
                '<span class="tt-muted">All records (select tags in the overview'
                " to narrow it down)</span>"
            )
        self._render_table()
        self._render_charts()
        if move_timeline:
            self._move_timeline()

    def _render_table(self):
        empty = "No records in this date range"
        if len(self._filter_tags):
            empty += " with these tags"
        self._table_wrap.innerHTML = reporttable.table_html(
            self._report, empty + ".", None, record_link
        )

    # Charts (time per tag, time per period stacked by tag)

    def _render_charts(self):
        report = self._report
        if report.total <= 0:
            self._charts.hidden = True
            self._chart_data = None
            return
        self._chart_data = reportcharts.chart_data(report, taginfo.get_tag_color)
        self._charts.hidden = False
        self._draw_charts()

    def _on_charts_resize(self, entries=None):
        if self._chart_data is not None and self._is_shown:
            self._draw_charts()

    def _draw_charts(self):
        data = self._chart_data
        tags_canvas = self._charts.querySelector(".tt-rp-chart-tags")
        periods_canvas = self._charts.querySelector(".tt-rp-chart-periods")
        caption = self._charts.querySelector(".tt-rp-chart-period")
        reportcharts.draw_charts(
            tags_canvas, periods_canvas, caption, data, theme.current()
        )
        tags_canvas.dataset.total = str(data.total)
        periods_canvas.dataset.total = str(data.total)
        periods_canvas.dataset.columns = str(len(data.periods))

    def _on_table_click(self, e):
        link = e.target.closest("a[data-row]") if e.target.closest else None
        if not link:
            return
        e.preventDefault()
        row = self._report.rows[int(link.dataset.row)]
        if not row or not row.record:
            return
        record = row.record
        store = self._app.store
        if store and store.records:
            record = store.records.get_by_key(row.key) or record

        def after_edit(value=None):
            if self._is_shown:
                self._rebuild(False)

        recorddialog.RecordDialog(self._app).open("edit", record, after_edit)

    # Actions

    def _say(self, text, is_error=False):
        self._status.textContent = text
        self._status.classList.toggle("tt-error", bool(is_error))

    def _on_copy(self, e):
        button = e.currentTarget
        pair = clipboard_table(self._report, self._info.username)

        def done(ok):
            if ok:
                flash_done(button)
                self._say("Copied the table: paste it into a spreadsheet.")
            else:
                self._select_table()
                self._say(
                    "The browser did not allow copying: the table is selected, press"
                    " Ctrl+C (or \u2318C) to copy it.",
                    True,
                )

        copy_rich(pair[0], pair[1]).then(done)

    def _select_table(self):
        table = self._table_wrap.querySelector("table")
        if not table:
            return
        selection = window.getSelection()
        selection.removeAllRanges()
        rng = window.document.createRange()
        rng.selectNodeContents(table)
        selection.addRange(rng)

    def _on_csv(self, e):
        text = reports.to_csv(self._report, self._info.username)
        name = reports.report_filename(self._first_day, self._last_day, "csv")
        download(name, text, "text/csv")
        flash_done(e.currentTarget)
        self._say("Saved " + name + ".")

    def _on_pdf(self, e):
        button = e.currentTarget
        if button.disabled:
            return
        button.disabled = True
        button.classList.add("tt-busy")
        self._say("Preparing the PDF\u2026")
        name = reports.report_filename(self._first_day, self._last_day, "pdf")

        def ok(blob):
            button.disabled = False
            button.classList.remove("tt-busy")
            download(name, blob, "application/pdf")
            flash_done(button)
            self._say("Saved " + name + ".")

        def fail(err):
            button.disabled = False
            button.classList.remove("tt-busy")
            window.console.error("PDF export failed:", err)
            self._say("Could not make the PDF: " + str(err.message or err), True)

        info = window.Object.assign({}, self._info)
        info.color_of = taginfo.get_tag_color
        pdfexport.report_pdf(self._report, info).then(ok).catch(fail)
