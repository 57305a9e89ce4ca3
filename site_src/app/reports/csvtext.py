"""CSV and tab-separated text: the one writer of the report (RP-12) and the export
(IE-10), and the rule that keeps a spreadsheet from running what records say.

A spreadsheet opening a CSV file treats a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula ("CSV injection"). As OWASP advises,
``field`` puts a single quote before such a text and quotes the field; the quote
also goes before a text that already starts with quotes followed by one of those
characters, so that ``restore`` (used by the importer on every field it reads) can
take exactly one quote off again: export, then import gives back the same text.
Pure logic: no DOM.
"""

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _starts_formula(s):
    """Whether ``s`` is quotes (none or more) followed by a formula character."""
    i = 0
    n = len(s)
    while i < n and s[i] == "'":
        i += 1
    return i < n and FORMULA_STARTS.indexOf(s[i]) >= 0


def neutralise(text):
    """``text`` with a single quote in front when a spreadsheet would read it as a
    formula (see the module docstring)."""
    s = "" if text is None or text is undefined else str(text)
    if _starts_formula(s):
        return "'" + s
    return s


def restore(text):
    """Undo ``neutralise``: one leading quote off a neutralised text."""
    s = str(text)
    if len(s) > 1 and s[0] == "'" and _starts_formula(s[1:]):
        return s[1:]
    return s


def field(value, always_quote=False):
    """One CSV field: neutralised, then quoted (inner quotes doubled) when asked, when
    neutralised, or when it holds a comma, a double quote, a line break or spaces at
    either end."""
    raw = "" if value is None or value is undefined else str(value)
    s = neutralise(raw)
    needs = (
        always_quote
        or s != raw
        or s.indexOf(",") >= 0
        or s.indexOf('"') >= 0
        or s.indexOf("\n") >= 0
        or s.indexOf("\r") >= 0
        or (len(s) > 0 and (s[0] == " " or s[-1] == " "))
    )
    if needs:
        return '"' + s.split('"').join('""') + '"'
    return s


def csv_line(values, quoted_columns=None):
    """One CSV line of ``values``; columns listed in ``quoted_columns`` always quoted."""
    quoted = quoted_columns or []
    return ",".join(
        [field(values[i], quoted.indexOf(i) >= 0) for i in range(len(values))]
    )


def csv_text(rows, quoted_columns=None):
    """A table as CSV: one ``csv_line`` per row, joined with CRLF."""
    return "\r\n".join([csv_line(row, quoted_columns) for row in rows])


def tsv_text(rows):
    """A table as tab-separated text (pasted into a spreadsheet, or saved): fields
    neutralised, joined with tabs, lines with CRLF. Fields hold no tabs or line breaks
    (descriptions are normalised, DM0-4)."""
    return "\r\n".join(["\t".join([neutralise(v) for v in row]) for row in rows])
