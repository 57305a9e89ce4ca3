"""The search dialog (SK-01 ... SK-04): find records by tags and words, and manage the
tags searched for.

A query like ``#client1 !#paid invoice !draft`` (module ``search``: tags to include,
``!`` to exclude, words that the description must or must not contain) is summarised
live under the field ("Search rules"); the field completes tags (every tag used, like
the record dialog's tag suggestions, without presets or descriptions). Search (or
Enter) lists every matching record, newest first: its date goes to that day in the
timeline (the dialog closes), its description opens the record dialog; saving there
closes the search too (the timeline shows the change), cancelling comes back to
the list. Long lists show 200 at a time ("Show more"). With tags
in the query, "Manage" opens the tag dialog (one tag) or the tag-combination dialog
(several, SK-04). The last query is kept while the page is open.

``rules_html`` and ``result_line`` are pure and tested in node.
"""

from pscript import window

from ..core import dt, icons, markup, search, settings
from . import autocomplete, basedialog, recorddialog, tagdialogs

PAGE = 200
_last = {"query": ""}


def rules_html(query):
    """The "Search rules" summary of a parsed query, as HTML (tags coloured)."""
    if not search.has_rules(query):
        return '<span class="tt-muted">Type tags (like #client) or words; put ! in front to exclude.</span>'
    html = ""
    for group in search.rule_groups(query):
        if group[1] == "tags":
            shown = " ".join([markup.tag_html(t) for t in group[2]])
        else:
            shown = ", ".join(["<q>" + markup.escape(w) + "</q>" for w in group[2]])
        html += "<div>" + markup.escape(group[0]) + " " + shown + "</div>"
    return html


def result_line(record, duration_repr="hms"):
    """``{date, duration, running}`` of a hit: the ISO date (for ``#date=``), the
    duration text, and whether it is running."""
    running = record.t1 == record.t2
    end = max(dt.now(), record.t1) if running else record.t2
    return {
        "date": dt.format_isodate(record.t1),
        "duration": dt.duration_string(end - record.t1, False, duration_repr),
        "running": running,
    }


BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


class SearchDialog(BaseDialog):
    """Search records and tags (SK-01)."""

    css_class = "tt-search-dialog"

    def open(self, callback=None):
        self._hits = []
        self._shown = 0
        self._query = search.parse_query("")
        self._build_frame("Search records and tags", "search")
        self.body.innerHTML = (
            '<p class="tt-explain">Search by tags and by words in the description; put'
            " <code>!</code> in front of a tag or word to leave those records out.</p>"
            + '<div class="tt-sr-bar"><div class="tt-ac-wrap tt-sr-input-wrap">'
            + '<input type="text" class="tt-sr-input" data-autofocus autocomplete="off"'
            + ' spellcheck="false" aria-label="Search" placeholder="Tags or text, e.g. #client1 !#paid invoice">'
            + "</div>"
            + '<button type="button" class="tt-btn tt-primary tt-sr-go" disabled>'
            + icons.icon("search")
            + "Search</button></div>"
            + '<div class="tt-sr-rules-wrap"><span class="tt-label">Search rules</span>'
            + '<div class="tt-sr-rules" aria-live="polite"></div></div>'
            + '<div class="tt-buttons tt-sr-manage-row"><button type="button" class="tt-btn tt-sr-manage" hidden></button></div>'
            + '<div class="tt-sr-results" aria-live="polite"></div>'
        )
        self._input = self.body.querySelector(".tt-sr-input")
        self._go = self.body.querySelector(".tt-sr-go")
        self._manage = self.body.querySelector(".tt-sr-manage")
        self._results = self.body.querySelector(".tt-sr-results")
        self._input.addEventListener("input", self._on_input, False)
        self._go.addEventListener("click", lambda e: self.run(), False)
        self._manage.addEventListener("click", self._on_manage, False)
        self._results.addEventListener("click", self._on_results_click, False)
        store = self._app.store
        self._ac = None
        if store and autocomplete.Autocomplete:
            sources = autocomplete.sources_for(store)

            def get_sources():
                got = sources.get([])
                return {
                    "tag_times": got.tag_times,
                    "recent_tags": got.recent_tags,
                    "descriptions": [],
                    "presets": [],
                }

            self._ac = autocomplete.Autocomplete(
                self._input, get_sources, self._on_input, self.node
            )
            self._input.addEventListener("input", lambda e: self._ac.update(), False)
        self._input.value = _last.query
        self._on_input()
        self._show(callback)
        if search.has_rules(self._query):
            self.run()
        return self

    def _on_input(self, e=None):
        self._query = search.parse_query(self._input.value)
        _last.query = self._input.value
        self.body.querySelector(".tt-sr-rules").innerHTML = rules_html(self._query)
        self._go.disabled = not search.has_rules(self._query)
        inc = self._query.include_tags
        if len(inc):
            self._manage.hidden = False
            self._manage.innerHTML = (
                icons.icon("tag")
                + "<span>Manage "
                + " ".join([markup.tag_html(t) for t in inc])
                + "</span>"
            )
        else:
            self._manage.hidden = True

    def _on_key(self, e):
        if e.key == "Enter" and not e.isComposing and e.target is self._input:
            if e.defaultPrevented:
                return  # the suggestion list took the Enter
            e.preventDefault()
            if self._ac:
                self._ac.hide()
            self.run()

    def run(self):
        """Search all records and show the hits (SK-03)."""
        if not search.has_rules(self._query):
            return
        store = self._app.store
        records = store.records.get_all_records() if store else []
        self._hits = search.search(records, self._query)
        self._shown = 0
        n = len(self._hits)
        self._results.innerHTML = (
            '<p class="tt-sr-count">Found '
            + str(n)
            + (" record" if n == 1 else " records")
            + (":" if n else ".")
            + "</p>"
            + '<ul class="tt-sr-list"></ul>'
        )
        self._show_more()

    def _show_more(self):
        esc = markup.escape
        ul = self._results.querySelector(".tt-sr-list")
        more = self._results.querySelector(".tt-sr-more")
        if more:
            more.remove()
        end = min(len(self._hits), self._shown + PAGE)
        drepr = settings.get("duration_repr")
        html = ""
        for i in range(self._shown, end):
            r = self._hits[i]
            line = result_line(r, drepr)
            html += (
                '<li class="tt-sr-hit'
                + (" tt-sr-running" if line.running else "")
                + '">'
                + '<a href="#date='
                + line.date
                + '" class="tt-sr-date" data-index="'
                + str(i)
                + '">'
                + esc(line.date)
                + "</a>"
                + '<span class="tt-sr-dur">'
                + esc(line.duration)
                + "</span>"
                + '<a href="#" role="button" class="tt-sr-ds" data-index="'
                + str(i)
                + '" title="Edit this record">'
                + icons.icon("pencil")
                + "<span>"
                + (
                    markup.description_html(r.ds)
                    if r.ds
                    else '<span class="tt-muted">(no description)</span>'
                )
                + "</span></a></li>"
            )
        ul.insertAdjacentHTML("beforeend", html)
        self._shown = end
        if end < len(self._hits):
            self._results.insertAdjacentHTML(
                "beforeend",
                '<div class="tt-buttons tt-sr-more"><button type="button" class="tt-btn">Show '
                + str(min(PAGE, len(self._hits) - end))
                + " more</button></div>",
            )
            self._results.querySelector(".tt-sr-more button").onclick = lambda e: (
                self._show_more()
            )

    def _on_results_click(self, e):
        link = e.target.closest("a[data-index]") if e.target.closest else None
        if not link:
            return
        e.preventDefault()
        record = self._hits[int(link.dataset.index)]
        if not record:
            return
        if link.classList.contains("tt-sr-date"):
            t1 = dt.day_start(record.t1)
            app = self._app
            self.close()
            if app.animate_range:
                app.animate_range(t1, dt.add(t1, "1D"))
            return
        store = self._app.store
        fresh = store.records.get_by_key(record.key) if store else None

        def after(value=None):
            # Saved (or deleted): the search is done, the timeline shows the change.
            # Cancelled: back to the results.
            if value:
                self.close()
                _call_redraw(self._app)
            elif self._is_shown:
                self.run()

        recorddialog.RecordDialog(self._app).open("edit", fresh or record, after)

    def _on_manage(self, e):
        inc = self._query.include_tags
        if len(inc) == 0:
            return

        def after(value=None):
            if self._is_shown:
                self._on_input()
                if len(self._hits):
                    self.run()

        if len(inc) == 1:
            tagdialogs.TagDialog(self._app).open(inc[0], after)
        else:
            tagdialogs.TagComboDialog(self._app).open(" ".join(inc), after)


def _call_redraw(app):
    if app.request_redraw:
        app.request_redraw()
