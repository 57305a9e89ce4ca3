"""The report as an HTML table, for the report dialog and for the shared page (two
bundles, one renderer): the rows of ``reports.build_report`` (the total, a spacer
before each group, the group rows, the records), an amount column and the earnings
line above when the report has rates, and a note when there are no records.

What the two differ in comes as arguments: ``color_of(tag)`` colours the tags (the
user's ``taginfo.get_tag_color`` by default; the shared page's come from the share's
taginfo) and ``record_cell(i, html)`` wraps a record's description (the dialog makes
it a link to the record dialog; the shared page shows it as is). Text from records is
data: every piece of it reaches the markup through ``markup.escape``. Pure, tested in
node (``tests/client/reporttable.test.js``).
"""

from ..core import markup
from . import reports


def group_title_html(row, grouping, color_of=None):
    """A group row's title as HTML: the period, then the tags with coloured ``#``
    (grouping by tags), the description (by description), or "General"."""
    html = ""
    if row.period:
        html += '<span class="tt-rp-period">' + markup.escape(row.period) + "</span>"
    title = row.group_title
    if grouping == "tagz":
        if row.tags and len(row.tags):
            body = " ".join([markup.tag_html(tag, color_of) for tag in row.tags])
        else:
            body = markup.escape(title or reports.GENERAL)
    elif grouping == "ds":
        if title == reports.NO_DESCRIPTION:
            body = '<span class="tt-muted">' + markup.escape(title) + "</span>"
        else:
            body = markup.description_html(title, color_of)
    else:
        body = ""
    if html and body:
        html += '<span class="tt-rp-sep"> / </span>'
    return html + body


def _sum_row_html(cls, row, title_html, amount):
    """The total's or a group's row: its duration, its title over two columns."""
    return (
        '<tr class="'
        + cls
        + '"><td class="tt-rp-dur">'
        + markup.escape(row.duration_text)
        + '</td><td colspan="2">'
        + title_html
        + "</td>"
        + amount
        + "</tr>"
    )


def _record_row_html(row, n_records, desc, amount):
    cls = "tt-rp-record" + (" tt-rp-running" if row.running else "")
    cls += " tt-rp-odd" if n_records % 2 else ""
    return (
        '<tr class="'
        + cls
        + '"><td class="tt-rp-dur">'
        + markup.escape(row.duration_text)
        + '</td><td class="tt-rp-when"><span class="tt-rp-date">'
        + markup.escape(row.date)
        + '</span> <span class="tt-rp-time">'
        + markup.escape(row.start)
        + "\u2013"
        + markup.escape(row.stop)
        + '</span></td><td class="tt-rp-desc">'
        + desc
        + "</td>"
        + amount
        + "</tr>"
    )


def table_html(report, empty_text, color_of=None, record_cell=None):
    """The report's table as HTML, with the earnings line above it when the report
    has rates and ``empty_text`` (plain text) below it when it has no records.
    ``record_cell(i, html)``: what the description cell of the record row
    ``report.rows[i]`` holds, given the description's HTML (default: that HTML)."""
    grouping = report.options.grouping
    rated = report.has_rates
    n_records = 0
    html = '<table class="tt-rp-table"><tbody>'
    for i in range(len(report.rows)):
        row = report.rows[i]
        kind = row.type
        amount = ""
        if rated:
            amount = (
                '<td class="tt-rp-amount">'
                + markup.escape(row.amount_text or "")
                + "</td>"
            )
        if kind == "total":
            html += _sum_row_html("tt-rp-total", row, "Total", amount)
        elif kind == "spacer":
            html += (
                '<tr class="tt-rp-spacer"><td colspan="'
                + ("4" if rated else "3")
                + '"></td></tr>'
            )
        elif kind == "group":
            title = group_title_html(row, grouping, color_of)
            html += _sum_row_html("tt-rp-group", row, title, amount)
        else:
            n_records += 1
            desc = (
                markup.description_html(row.description, color_of)
                if row.description
                else '<span class="tt-muted">\u2013</span>'
            )
            if record_cell:
                desc = record_cell(i, desc)
            html += _record_row_html(row, n_records, desc, amount)
    html += "</tbody></table>"
    if rated:
        html = (
            '<p class="tt-rp-earnings tt-note"><strong>Earnings '
            + markup.escape(report.amount_text)
            + "</strong> \u2013 "
            + markup.escape(reports.RATE_RULE)
            + "</p>"
            + html
        )
    if len(report.rows) <= 1:
        html += '<p class="tt-rp-empty">' + markup.escape(empty_text) + "</p>"
    return html
