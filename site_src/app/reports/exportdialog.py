"""The export dialog (IE-10): all records as a table, to copy into a spreadsheet or to
download as CSV or tab-separated text, for backups, processing or moving elsewhere.

Times as Local (``YYYY-MM-DD HH:MM:SS``, the default), Unix seconds or ISO 8601 (UTC);
changing the format rebuilds the table (a newer build cancels an older one). The rows
come from ``exporter`` (key, start, stop, tags, description; deleted records left
out) and are built in chunks, so a big store shows "Found N records" as it goes. The
dialog shows the first rows; Copy and the downloads hold them all. The files read back
through the import dialog unchanged.

``export_html`` (the copied table) is pure and tested in node.
"""

from pscript import window

from ..core import dt, markup
from ..dialogs import basedialog
from . import exporter, reportdialog

SHOWN_ROWS = 100
CHUNK = 2000


def export_html(rows, limit=None):
    """A table as HTML (all rows, or the first ``limit`` after the header)."""
    esc = markup.escape
    n = len(rows) if limit is None else min(len(rows), limit + 1)
    parts = ["<table>"]
    for i in range(n):
        cell = "th" if i == 0 else "td"
        row = rows[i]
        parts.append(
            "<tr>"
            + "".join(["<" + cell + ">" + esc(v) + "</" + cell + ">" for v in row])
            + "</tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def _sleep(ms):
    return window.Promise(lambda resolve: window.setTimeout(resolve, ms))


BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


class ExportDialog(BaseDialog):
    """All records as a table: copy, CSV, TSV (IE-10)."""

    css_class = "tt-export-dialog"

    def open(self, callback=None):
        self._rows = None
        self._build_id = 0
        self._build_frame("Export all records", "export")
        seg = ""
        for pair in exporter.FORMATS:
            checked = " checked" if pair[0] == "local" else ""
            seg += (
                '<label class="tt-seg"><input type="radio" name="tt-ex-format" value="'
                + pair[0]
                + '"'
                + checked
                + "><span>"
                + markup.escape(pair[1])
                + "</span></label>"
            )
        self.body.innerHTML = (
            '<p class="tt-explain">All your records (except deleted ones) as a table with'
            " key, start, stop, tags and description: for a backup, for processing in a"
            " spreadsheet, or to move to another TimeTagger. The import reads these files"
            " back as they are.</p>"
            + '<div class="tt-field"><span class="tt-label">Date and time as</span>'
            + '<div class="tt-time-options tt-ex-formats" role="radiogroup">'
            + seg
            + "</div></div>"
            + '<div class="tt-rp-actions tt-ex-actions">'
            + reportdialog.action_html(
                "tt-ex-copy", "copy", "Copy table", "to paste in a spreadsheet"
            )
            + reportdialog.action_html(
                "tt-ex-csv", "download", "Save CSV", "comma-separated file"
            )
            + reportdialog.action_html(
                "tt-ex-tsv", "download", "Save TSV", "tab-separated file"
            )
            + "</div>"
            + '<div class="tt-rp-status tt-ex-status" role="status" aria-live="polite"></div>'
            + '<div class="tt-ex-table-wrap" tabindex="0" role="region" aria-label="Preview of the export"></div>'
        )
        for el in markup.query_all(self.body, "input[name=tt-ex-format]"):
            el.addEventListener("change", lambda e: self._rebuild(), False)
        self.body.querySelector(".tt-ex-copy").addEventListener(
            "click", self._on_copy, False
        )
        self.body.querySelector(".tt-ex-csv").addEventListener(
            "click", self._on_csv, False
        )
        self.body.querySelector(".tt-ex-tsv").addEventListener(
            "click", self._on_tsv, False
        )
        self._show(callback)
        self._rebuild()
        return self

    def _format(self):
        el = self.body.querySelector("input[name=tt-ex-format]:checked")
        return el.value if el else "local"

    def _set_busy(self, busy):
        for el in markup.query_all(self.body, ".tt-ex-actions .tt-action"):
            el.disabled = busy

    def _say(self, text, is_error=False):
        node = self.body.querySelector(".tt-ex-status")
        node.textContent = text
        node.classList.toggle("tt-error", bool(is_error))

    async def _rebuild(self):
        """Build the rows for the chosen format; a newer call cancels this one."""
        self._build_id += 1
        my_id = self._build_id
        fmt = self._format()
        self._rows = None
        self._set_busy(True)
        store = self._app.store
        records = store.records.get_all_records() if store else []
        rows = [exporter.HEADER.slice()]
        for i in range(len(records)):
            record = records[i]
            if exporter.is_exported(record):
                rows.append(exporter.export_row(record, fmt))
            if (i + 1) % CHUNK == 0:
                self._say("Found " + str(len(rows) - 1) + " records\u2026")
                await _sleep(0)
                if my_id != self._build_id or not self._is_shown:
                    return
        self._rows = rows
        self._set_busy(False)
        n = len(rows) - 1
        self._say("Found " + str(n) + (" record." if n == 1 else " records."))
        html = export_html(rows, SHOWN_ROWS).replace(
            "<table>", '<table class="tt-ex-table">'
        )
        if n > SHOWN_ROWS:
            html += (
                '<p class="tt-note">The first '
                + str(SHOWN_ROWS)
                + " of "
                + str(n)
                + " records are shown; the copy and the files hold all of them.</p>"
            )
        elif n == 0:
            html = '<p class="tt-rp-empty">There are no records yet.</p>'
        self.body.querySelector(".tt-ex-table-wrap").innerHTML = html

    def _on_copy(self, e):
        if not self._rows:
            return
        button = e.currentTarget
        rows = self._rows

        def done(ok):
            if ok:
                reportdialog.flash_done(button)
                self._say(
                    "Copied "
                    + str(len(rows) - 1)
                    + " records: paste them into a spreadsheet."
                )
            else:
                self._say(
                    "The browser did not allow copying: use Save CSV instead.", True
                )

        reportdialog.copy_rich(export_html(rows), exporter.to_tsv(rows)).then(done)

    def _download(self, e, ext):
        if not self._rows:
            return
        name = exporter.export_filename(dt.now(), ext)
        if ext == "csv":
            reportdialog.download(name, exporter.to_csv(self._rows), "text/csv")
        else:
            reportdialog.download(
                name, exporter.to_tsv(self._rows), "text/tab-separated-values"
            )
        reportdialog.flash_done(e.currentTarget)
        self._say("Saved " + name + ".")

    def _on_csv(self, e):
        self._download(e, "csv")

    def _on_tsv(self, e):
        self._download(e, "tsv")
