"""The shared-report page (``shared/#<share token>``): one report, read-only, for
whoever holds the link, without an account.

``main()`` takes the share token from the URL fragment (browsers never send it to a
server, so it is in no access log), asks the API's public ``GET shared`` for the
report (token in the ``sharetoken`` header) and draws it like the report dialog: the
total, groups per tag combination and their records (``reporttable``, the dialog's
table without its links), the charts (``reportcharts``), earnings when the owner's
tags have rates. Colours and rates come from the ``taginfo`` the answer carries,
never from this browser's settings. Text from records is data: it reaches the page
through ``markup.escape`` or ``textContent``. When the link is revoked, expired or
wrong, the page says so (the server's reason).
"""

from pscript import window

from .app.core import colors, dt, env, markup, taginfo, theme
from .app.reports import reportcharts, reports, reporttable


def token_from_hash(hash_text):
    """The share token in a fragment ``#<token>`` ("" when there is none)."""
    text = str(hash_text or "")
    if text.startswith("#"):
        text = text[1:]
    try:
        text = window.decodeURIComponent(text)
    except Exception:
        return ""
    return text.strip()


def tag_lookup(taginfo_list):
    """tagz -> stored taginfo value, from the answer's ``taginfo`` list."""
    found = {}
    for item in taginfo_list or []:
        if item and isinstance(item.key, str) and item.key.startswith("taginfo "):
            if item.value and isinstance(item.value, dict):
                found[taginfo.normalize_tagz(item.key[8:])] = item.value
    return found


def color_function(lookup):
    def color_of(tag):
        value = lookup[taginfo.normalize_tagz(tag)]
        if value and isinstance(value.color, str):
            return colors.valid_color(value.color, taginfo.DEFAULT_COLOR)
        return taginfo.DEFAULT_COLOR

    return color_of


def rate_function(lookup):
    def rate_of(tag):
        value = lookup[taginfo.normalize_tagz(tag)]
        return taginfo.clean_rate(value.rate) if value else None

    return rate_of


def _node(selector):
    return window.document.querySelector(selector)


def say(text, is_error=False):
    status = _node("#shared-status")
    status.textContent = text
    status.classList.toggle("shared-error", bool(is_error))


def draw_charts(data):
    charts = _node("#shared-charts")
    if data is None:
        charts.hidden = True
        return
    charts.hidden = False
    reportcharts.draw_charts(
        _node("#shared-chart-tags"),
        _node("#shared-chart-periods"),
        _node("#shared-chart-period"),
        data,
        theme.current(),
    )


def show_report(answer):
    share = answer.share
    lookup = tag_lookup(answer.taginfo)
    color_of = color_function(lookup)
    options = {
        "grouping": "tagz",
        "groupperiod": "none",
        "format": "hm",
        "showrecords": True,
        "tags": share.tags or [],
        "rates": rate_function(lookup),
        "now": dt.now(),
    }
    report = reports.build_report(answer.records or [], share.t1, share.t2, options)
    if len(share.tags or []):
        _node("#shared-tags").innerHTML = " ".join(
            [markup.tag_html(tag, color_of) for tag in share.tags]
        )
    else:
        _node("#shared-tags").textContent = "All records"
    last = max(share.t1, share.t2 - 1)
    range_text = dt.format_date(share.t1) + " \u2013 " + dt.format_date(last)
    if share.range and share.range.current_month is not undefined:
        range_text += " (the current month)"
    _node("#shared-range").textContent = range_text
    _node("#shared-description").textContent = share.description or ""
    # read-only: the records' descriptions are no links
    _node("#shared-table").innerHTML = reporttable.table_html(
        report, "No records in this report.", color_of
    )
    data = None
    if report.total > 0:
        data = reportcharts.chart_data(report, color_of)
    draw_charts(data)
    _node("#shared-report").hidden = False
    say("")
    window.document.body.setAttribute("data-state", "shown")


async def load():
    token = token_from_hash(window.location.hash)
    _node("#shared-report").hidden = True
    if not token:
        say("This link holds no shared report (the part after # is missing).", True)
        window.document.body.setAttribute("data-state", "failed")
        return
    say("Loading the report ...")
    init = {"headers": {"sharetoken": token}, "cache": "no-store"}
    try:
        response = await window.fetch(env.api_url("shared"), init)
        text = await response.text()
    except Exception as err:
        say("The server could not be reached: " + str(err), True)
        window.document.body.setAttribute("data-state", "failed")
        return
    if response.status != 200:
        detail = text.split(": ", 1)[1] if ": " in text else text
        if response.status == 401:
            say("This shared link does not work (any more): " + detail + ".", True)
        else:
            say("The report could not be loaded: " + str(response.status), True)
        window.document.body.setAttribute("data-state", "failed")
        return
    show_report(window.JSON.parse(text))


def main():
    # The light palette, like the pages around the app (no theme setting here).
    window.addEventListener("hashchange", lambda: load())
    load()
