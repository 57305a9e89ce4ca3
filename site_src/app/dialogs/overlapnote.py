"""The record dialog's note on overlapping records, with the one-click fix.

``OverlapNote(app, container, on_fix_self)`` fills ``container`` (an element of the
record dialog) with the records that overlap the dialog's record, each with a button
that ends the earlier of the two where the later begins (``overlaps.fix_for``). When
the earlier one is another record, the fix is stored at once; when it is the dialog's
own record, ``on_fix_self(t1, t2)`` sets its new end in the dialog (saved with the
dialog's submit button, like any time edit). ``update(record)`` recomputes the list
for the record's current times. Descriptions are shown through ``markup`` (data).
"""

from ..core import dt, icons, markup, overlaps


def overlap_text(other, now):
    """``09:00–10:30 (Mon 11 Mar)``: when the other record is, for the note."""
    end = overlaps.record_end(other, now)
    text = dt.format_time(other.t1) + "\u2013"
    text += "now" if other.t1 == other.t2 else dt.format_time(end)
    return text + " " + dt.format_date(other.t1, "yyyy-mm-dd")


class OverlapNote:
    """See the module docstring."""

    def __init__(self, app, container, on_fix_self):
        self._app = app
        self._node = container
        self._on_fix_self = on_fix_self
        self._record = None
        self._fixes = []
        self._node.addEventListener("click", self._on_click, False)

    def _others(self, record):
        store = self._app.store
        if not store or not store.records:
            return []
        now = dt.now()
        end = overlaps.record_end(record, now)
        return overlaps.overlaps_with(
            record, store.records.get_records(record.t1, end), now
        )

    def update(self, record):
        """Show the records overlapping ``record`` (its current times)."""
        self._record = record
        found = self._others(record) if record.key else []
        self._fixes = []
        if not found:
            self._node.hidden = True
            self._node.innerHTML = ""
            return
        now = dt.now()
        html = (
            '<div class="tt-ov-title">'
            + icons.icon("warning")
            + "<span>Overlaps "
            + ("another record" if len(found) == 1 else str(len(found)) + " records")
            + ': time counted twice.</span></div><ul class="tt-ov-list">'
        )
        for other in found:
            fix = overlaps.fix_for(record, other)
            html += (
                '<li><span class="tt-ov-when">'
                + markup.escape(overlap_text(other, now))
                + '</span> <span class="tt-ov-desc">'
                + markup.description_html(other.ds or "")
                + "</span>"
            )
            if fix is not None:
                who = "this record" if fix.key == record.key else "the earlier record"
                html += (
                    ' <button type="button" class="tt-small tt-ov-fix" data-fix="'
                    + str(len(self._fixes))
                    + '">End '
                    + who
                    + " at "
                    + markup.escape(dt.format_time(fix.t2))
                    + "</button>"
                )
                self._fixes.append(fix)
            html += "</li>"
        html += "</ul>"
        self._node.innerHTML = html
        self._node.hidden = False

    def _on_click(self, e):
        button = e.target.closest(".tt-ov-fix") if e.target.closest else None
        if not button:
            return
        fix = self._fixes[int(button.dataset.fix)]
        if not fix:
            return
        if fix.key == self._record.key:
            self._on_fix_self(fix.t1, fix.t2)
        else:
            store = self._app.store
            stored = store.records.get_by_key(fix.key)
            if stored is not None and stored.t1 == fix.t1:
                stored.t2 = fix.t2
                store.records.put(stored)
                if self._app.request_redraw:
                    self._app.request_redraw()
        self.update(self._record)
