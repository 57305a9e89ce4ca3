"""The import dialog (IE-01, IE-02, IE-09): records from CSV/TSV text, with a preview of
what would be written before anything is written.

The text comes from pasting into the text area, from a chosen file, or from a file
dropped on the text area (IE-02: the first file; spreadsheets and PDFs are refused
with a hint to export CSV; the area turns green while a file hovers). Analysing
(``importer.analyse``: separator, header mapping, our own export, Toggl Track and
Clockify exports, per-row problems) happens on Analyse, and by itself after a file
was read or text was pasted. The preview shows what the importer understood: the
columns, how many records and how many of them are new or replace a record with the
same key, the date span, the rows it could not read, and the first records as they
will be stored. Import then puts the records into the store in chunks, with a
progress bar (they sync like any edit); editing the text afterwards asks for a new
analysis. In a real account the dialog suggests trying the sandbox first.

Pure helpers (``summary``, ``preview_rows``, ``refused_file``, ``chunk_size``) are
tested in node.
"""

from pscript import window

from ..core import dt, env, icons, markup, settings
from ..dialogs import basedialog
from . import importer

PREVIEW_ROWS = 12
MAX_ERRORS_SHOWN = 20
REFUSED_EXTENSIONS = [".xls", ".xlsx", ".xlsm", ".ods", ".pdf", ".numbers"]


# %% Pure helpers


def refused_file(name):
    """A message when a file of this name cannot be read as text, else ""."""
    low = str(name or "").toLowerCase()
    for ext in REFUSED_EXTENSIONS:
        if low.endswith(ext):
            return (
                "Cannot read "
                + ext
                + " files: save or export the sheet as CSV first, or"
                " copy its columns and paste them here."
            )
    return ""


def chunk_size(n):
    """How many records to put at a time: about 40 steps of progress, at least 100
    and at most 2,500 records per step."""
    return max(100, min(2500, Math.ceil(n / 40)))


def _number(n):
    """1234567 -> '1,234,567'."""
    s = str(Math.round(n))
    out = ""
    while len(s) > 3:
        out = "," + s[-3:] + out
        s = s[:-3]
    return s + out


def summary(result, existing_keys, date_repr="dd-mm-yyyy"):
    """What an analysis found, in words: ``{count, new, updates, span, text}``;
    ``existing_keys`` is a dict of the keys in the store (prefixed with ``k``)."""
    records = result.records or []
    updates = 0
    t1 = None
    t2 = None
    for r in records:
        if existing_keys["k" + r.key]:
            updates += 1
        if t1 is None or r.t1 < t1:
            t1 = r.t1
        if t2 is None or r.t2 > t2:
            t2 = r.t2
    n = len(records)
    span = ""
    if n > 0:
        a = dt.format_date(t1, date_repr)
        b = dt.format_date(max(t1, t2 - 1), date_repr)
        span = a if a == b else a + " \u2013 " + b
    text = _number(n) + (" record" if n == 1 else " records")
    if n > 0:
        text += " (" + _number(n - updates) + " new"
        if updates:
            text += ", " + _number(updates) + " replacing records with the same key"
        text += ")"
    return {
        "count": n,
        "new": n - updates,
        "updates": updates,
        "t1": t1,
        "t2": t2,
        "span": span,
        "text": text,
    }


def preview_rows(records, existing_keys, date_repr="dd-mm-yyyy", limit=PREVIEW_ROWS):
    """The first records as the preview table shows them: ``{date, start, stop,
    duration, ds, replaces}`` (``duration`` in hours and minutes)."""
    rows = []
    for r in records[:limit]:
        rows.append(
            {
                "date": dt.format_date(r.t1, date_repr),
                "start": dt.format_time(r.t1),
                "stop": dt.format_time(r.t2),
                "duration": dt.duration_string(r.t2 - r.t1, False, "hms"),
                "ds": r.ds,
                "replaces": bool(existing_keys["k" + r.key]),
            }
        )
    return rows


def column_names(header_fields, meanings):
    """``[[header, meaning or ""]]`` of the header row, for the preview."""
    labels = {
        "key": "key",
        "start": "start",
        "stop": "stop",
        "duration": "duration",
        "duration_hours": "duration (hours)",
        "date": "date",
        "end_date": "end date",
        "tags": "tags",
        "description": "description",
        "project": "project \u2192 tag",
        "project_key": "project key \u2192 tag",
        "project_path": "project path \u2192 tag",
        "client": "client \u2192 tag",
    }
    res = []
    for i in range(len(header_fields)):
        meaning = meanings[i] if i < len(meanings) else ""
        if not header_fields[i] and not meaning:
            continue
        res.append([header_fields[i], labels[meaning] or meaning or ""])
    return res


def header_fields(text, sep):
    """The fields of the first non-empty line (the header) of the text."""
    rows = importer.split_rows(str(text or ""), sep)
    if len(rows) == 0:
        return []
    first = rows[0][1]
    if len(first) and first[0].startswith("\ufeff"):
        first[0] = first[0][1:]
    return first


# %% The dialog

BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


def _sleep(ms):
    return window.Promise(lambda resolve: window.setTimeout(resolve, ms))


class ImportDialog(BaseDialog):
    """Paste or drop, analyse, look at the preview, import (IE-01, IE-02, IE-09)."""

    css_class = "tt-import-dialog"

    def open(self, callback=None):
        self._result = None
        self._analysing = False
        self._importing = False
        self._done = False
        self._existing_keys = {}
        self._build_frame("Import records", "import")
        self._create_dom()
        self._show(callback)
        return self

    def _create_dom(self):
        store = self._app.store
        kind = store.kind if store else ""
        sandbox_url = env.site_root_url() + "app/sandbox/"
        tip = ""
        if kind == "connected":
            tip = (
                '<p class="tt-note tt-im-tip">Not sure how your file will come out? Try it'
                ' in the <a href="'
                + sandbox_url
                + '" target="_blank" rel="noopener">sandbox</a> first: nothing is saved'
                " there.</p>"
            )
        elif kind == "sandbox" or kind == "demo":
            tip = (
                '<p class="tt-note tt-im-tip">This is the '
                + kind
                + ": imported records stay on this page and are gone when you leave.</p>"
            )
        self.body.innerHTML = (
            '<p class="tt-explain">Paste a table copied from a spreadsheet, CSV or text'
            " file, or choose or drop a CSV file. Columns are found by their names: start"
            " and stop (or a duration), and optionally tags, description, project, client"
            " and key. Exports of TimeTagger, Toggl Track and Clockify work as they are."
            " Nothing is written until you press Import.</p>"
            + tip
            + '<div class="tt-im-source">'
            + '<button type="button" class="tt-btn tt-im-choose">'
            + icons.icon("import")
            + "Choose a file\u2026</button>"
            + '<input type="file" class="tt-im-file" accept=".csv,.tsv,.txt,text/csv,'
            + 'text/plain,text/tab-separated-values" hidden>'
            + '<span class="tt-note tt-im-filename" aria-live="polite"></span></div>'
            + '<textarea class="tt-im-text" rows="9" spellcheck="false" autocomplete="off"'
            + ' placeholder="Paste the table here, or drop a CSV file"'
            + ' aria-label="Text to import"></textarea>'
            + '<div class="tt-buttons tt-im-buttons">'
            + '<button type="button" class="tt-btn tt-im-analyse">Analyse</button>'
            + '<button type="button" class="tt-btn tt-primary tt-im-import" disabled>Import</button>'
            + "</div>"
            + '<div class="tt-im-progress" hidden><div class="tt-im-bar"><span></span></div>'
            + '<span class="tt-im-progress-text" aria-live="polite"></span></div>'
            + '<div class="tt-im-result" aria-live="polite"></div>'
        )
        q = self._q
        self._text = q(".tt-im-text")
        self._file = q(".tt-im-file")
        self._filename = q(".tt-im-filename")
        self._btn_analyse = q(".tt-im-analyse")
        self._btn_import = q(".tt-im-import")
        self._progress = q(".tt-im-progress")
        self._result_node = q(".tt-im-result")
        q(".tt-im-choose").addEventListener(
            "click", lambda e: self._file.click(), False
        )
        self._file.addEventListener("change", self._on_file_chosen, False)
        self._text.addEventListener("input", self._on_text_input, False)
        self._text.addEventListener("paste", self._on_paste, False)
        self._text.addEventListener("dragenter", self._on_dragover, False)
        self._text.addEventListener("dragover", self._on_dragover, False)
        self._text.addEventListener("dragleave", self._on_dragleave, False)
        self._text.addEventListener("drop", self._on_drop, False)
        self._btn_analyse.addEventListener("click", lambda e: self.analyse(), False)
        self._btn_import.addEventListener("click", lambda e: self.do_import(), False)
        if store and store.is_read_only:
            self._btn_import.title = "This account is read-only"

    def _q(self, selector):
        return self.body.querySelector(selector)

    # Getting the text (IE-02)

    def _on_dragover(self, e):
        e.preventDefault()
        if e.dataTransfer:
            e.dataTransfer.dropEffect = "copy"
        self._text.classList.add("tt-dragover")

    def _on_dragleave(self, e):
        self._text.classList.remove("tt-dragover")

    def _on_drop(self, e):
        self._text.classList.remove("tt-dragover")
        files = e.dataTransfer.files if e.dataTransfer else None
        if not files or files.length == 0:
            return  # dropped text: let the browser insert it
        e.preventDefault()
        self.read_file(files[0])

    def _on_file_chosen(self, e):
        files = self._file.files
        if files and files.length:
            self.read_file(files[0])
        self._file.value = ""

    def read_file(self, file):
        """Read a file into the text area and analyse it."""
        message = refused_file(file.name)
        if message:
            self._filename.textContent = ""
            self._show_message(message, True)
            return

        def loaded(text):
            self._text.value = text
            self._filename.textContent = (
                "Read " + file.name + " (" + _number(len(text)) + " characters)."
            )
            self.analyse()

        def failed(err):
            self._show_message("Could not read " + file.name + ": " + str(err), True)

        file.text().then(loaded).catch(failed)

    def _on_paste(self, e):
        window.setTimeout(lambda: self.analyse(), 0)

    def _on_text_input(self, e):
        if self._result is not None and not self._done:
            self._result = None
            self._btn_import.disabled = True
            self._btn_import.textContent = "Import"
            self._show_message(
                "The text changed: analyse it again to see what it holds."
            )

    # Analysis and preview

    def _show_message(self, text, is_error=False):
        cls = "tt-im-message" + (" tt-error" if is_error else "")
        self._result_node.innerHTML = (
            '<p class="' + cls + '">' + markup.escape(text) + "</p>"
        )

    async def analyse(self):
        """Analyse the text and show the preview; nothing is written."""
        if self._analysing or self._importing:
            return
        text = self._text.value
        if not text.strip():
            self._show_message("Paste a table or choose a file first.")
            return
        self._analysing = True
        self._done = False
        self._btn_analyse.disabled = True
        self._btn_import.disabled = True
        self._btn_import.textContent = "Import"
        self._show_message("Analysing\u2026")
        await _sleep(20)  # let the message show before a long analysis
        try:
            store = self._app.store
            existing = store.records.get_all_records(True) if store else []
            keys = {}
            for r in existing:
                keys["k" + r.key] = True
            self._existing_keys = keys
            self._result = importer.analyse(text, {"existing": existing})
        except Exception as err:
            self._result = None
            self._show_message("Could not analyse the text: " + str(err), True)
            return
        finally:
            self._analysing = False
            self._btn_analyse.disabled = False
        self._render_preview()

    def _render_preview(self):
        esc = markup.escape
        result = self._result
        date_repr = settings.get("date_repr")
        info = summary(result, self._existing_keys, date_repr)
        self._summary = info
        html = ""
        if result.format_name and result.format != "generic":
            html += '<p class="tt-im-format">' + esc(result.format_name) + "</p>"
        if result.ok and info.count > 0:
            html += (
                '<p class="tt-im-summary"><strong>'
                + esc(info.text)
                + "</strong>"
                + (
                    '<span class="tt-im-span"> from ' + esc(info.span) + "</span>"
                    if info.span
                    else ""
                )
                + "</p>"
            )
        if result.separator:
            cols = column_names(
                header_fields(self._text.value, result.separator), result.columns
            )
            if len(cols):
                html += '<div class="tt-im-columns"><span class="tt-label">Columns</span><ul>'
                for pair in cols:
                    if pair[1]:
                        html += (
                            "<li>"
                            + esc(pair[0] or "(unnamed)")
                            + ' <span class="tt-im-arrow">\u2192</span> <b>'
                            + esc(pair[1])
                            + "</b></li>"
                        )
                    else:
                        html += (
                            '<li class="tt-muted">' + esc(pair[0]) + " (ignored)</li>"
                        )
                html += "</ul></div>"
        html += '<ul class="tt-im-log">'
        for line in result.log:
            html += "<li>" + esc(line) + "</li>"
        html += "</ul>"
        errors = result.errors or []
        if len(errors):
            html += (
                '<details class="tt-im-errors"'
                + (" open" if len(errors) <= 5 else "")
                + "><summary>"
                + esc(_number(len(errors)))
                + (" row" if len(errors) == 1 else " rows")
                + " left out</summary><ul>"
            )
            for err in errors[:MAX_ERRORS_SHOWN]:
                html += "<li>Row " + str(err.row) + ": " + esc(err.message) + "</li>"
            if len(errors) > MAX_ERRORS_SHOWN:
                html += (
                    "<li>\u2026 and "
                    + _number(len(errors) - MAX_ERRORS_SHOWN)
                    + " more</li>"
                )
            html += "</ul></details>"
        if result.ok and info.count > 0:
            html += self._preview_table_html(date_repr)
        self._result_node.innerHTML = html
        can_import = result.ok and info.count > 0
        store = self._app.store
        if store and store.is_read_only:
            can_import = False
            self._result_node.insertAdjacentHTML(
                "beforeend",
                '<p class="tt-error">This account is read-only: nothing can be imported.</p>',
            )
        self._btn_import.disabled = not can_import
        if can_import:
            self._btn_import.textContent = (
                "Import "
                + _number(info.count)
                + (" record" if info.count == 1 else " records")
            )

    def _preview_table_html(self, date_repr):
        esc = markup.escape
        records = self._result.records
        rows = preview_rows(records, self._existing_keys, date_repr)
        html = (
            '<div class="tt-im-preview"><span class="tt-label">Preview</span>'
            '<table class="tt-im-table"><thead><tr><th>Date</th><th>Time</th>'
            '<th class="tt-im-dur">Duration</th><th>Description</th></tr></thead><tbody>'
        )
        for row in rows:
            html += (
                "<tr"
                + (
                    ' class="tt-im-replaces" title="Replaces the record with the same key"'
                    if row.replaces
                    else ""
                )
                + "><td>"
                + esc(row.date)
                + '</td><td class="tt-im-time">'
                + esc(row.start)
                + "\u2013"
                + esc(row.stop)
                + '</td><td class="tt-im-dur">'
                + esc(row.duration)
                + '</td><td class="tt-im-ds">'
                + (
                    markup.description_html(row.ds)
                    if row.ds
                    else '<span class="tt-muted">\u2013</span>'
                )
                + "</td></tr>"
            )
        html += "</tbody></table>"
        if len(records) > len(rows):
            html += (
                '<p class="tt-note">\u2026 and '
                + _number(len(records) - len(rows))
                + " more.</p>"
            )
        return html + "</div>"

    # Import (IE-09)

    async def do_import(self):
        """Put the analysed records into the store, in chunks with progress."""
        result = self._result
        store = self._app.store
        if (
            self._importing
            or not result
            or not result.ok
            or not store
            or store.is_read_only
        ):
            return
        records = result.records
        n = len(records)
        if n == 0:
            return
        self._importing = True
        self._btn_import.disabled = True
        self._btn_analyse.disabled = True
        self._text.readOnly = True
        self._progress.hidden = False
        bar = self._progress.querySelector(".tt-im-bar span")
        label = self._progress.querySelector(".tt-im-progress-text")
        step = chunk_size(n)
        done = 0
        accepted = 0
        rs = store.records
        try:
            while done < n:
                chunk = records[done : done + step]
                accepted += rs.put.apply(rs, chunk) or 0
                done += len(chunk)
                bar.style.width = str(Math.round(100 * done / n)) + "%"
                label.textContent = (
                    "Importing\u2026 " + _number(done) + " of " + _number(n)
                )
                await _sleep(0)
        finally:
            self._importing = False
            self._text.readOnly = False
            self._btn_analyse.disabled = False
        self._done = True
        self._result = None
        label.textContent = (
            "Imported " + _number(done) + (" record." if done == 1 else " records.")
        )
        self._btn_import.textContent = "Import done"
        info = self._summary
        html = '<p class="tt-im-done tt-ok"><strong>Import done:</strong> ' + _number(
            done
        )
        html += " records are stored"
        if store.kind == "connected":
            html += " and sync with the server"
        html += ".</p>"
        if accepted < done:
            html += (
                '<p class="tt-note">'
                + _number(done - accepted)
                + " of them were older than what is stored and were left out.</p>"
            )
        if info and info.t1 is not None:
            html += (
                '<div class="tt-buttons tt-im-after"><button type="button" class="tt-btn tt-im-show">'
                + icons.icon("calendar")
                + "Show them in the timeline</button></div>"
            )
        self._result_node.innerHTML = html
        show = self._result_node.querySelector(".tt-im-show")
        if show:
            show.addEventListener(
                "click", lambda e: self._show_in_timeline(info), False
            )
        if self._app.request_redraw:
            self._app.request_redraw()

    def _show_in_timeline(self, info):
        t1 = dt.day_start(info.t1)
        t2 = dt.day_end(max(info.t1, info.t2 - 1))
        self.close()
        if self._app.animate_range:
            self._app.animate_range(t1, t2)
