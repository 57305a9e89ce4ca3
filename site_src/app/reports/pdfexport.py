"""PDF export of a report (RP-13), with a PDF library loaded only when needed.

The library (jsPDF, vendored from npm in ``site_src/vendor/``) and its fonts are
listed in ``vendor/lazy.html``, whose links the build points at the hashed files.
``load_library()`` reads that list, adds the library's script to the page and fetches
the fonts, once, on the first export: the first load of the app downloads none of it
(and the service worker does not precache it, as lazy.html is not a page).

Font: DejaVu Sans Condensed (Debian ``fonts-dejavu-extra``), regular and bold,
embedded (jsPDF subsets it to the glyphs used). jsPDF's standard PDF fonts only cover
Latin-1, so tags and descriptions in Greek, Cyrillic, with accents beyond Latin-1 or
with many symbols would come out garbled; DejaVu covers those. Scripts it lacks (CJK,
emoji) still show as missing glyphs. Without the fonts (``fonts=None``) Helvetica is
used, which the node tests rely on to read the text back.

The page: A4 portrait, 20 mm margins; title "Time record report" and the logo; Tags,
From and Until lines; the table at 10 pt in 6 mm rows with a 3 mm gap between groups:
duration (right-aligned), date, start, ``- stop``, the description wrapped over as many
lines as it needs, and with hourly rates the amount (right-aligned at the right margin). Group rows are shaded (alternating when records are hidden), record
rows alternate two light greys. A row never crosses the bottom margin; a group that
does not fit in what is left of a page but fits on a new one starts on a new page when
less than 40 % of the page is left; a group split over pages repeats its title with
"(continued)". A last page holds the charts (``reportcharts``: time per tag, time per
period stacked by tag, in the tag colours) when the report has time. Page numbers
``n/N`` at the top right. ``layout`` is pure and tested.
"""

from pscript import window

from ..core import env
from . import reportcharts

LAZY_PAGE = "vendor/lazy.html"
FONT = "DejaVuSansCondensed"

PAGE_W = 210
PAGE_H = 297
MARGIN = 20
TABLE_TOP_FIRST = MARGIN + 35  # the table's top on page 1
TABLE_TOP = MARGIN + 2  # on the following pages
BOTTOM = PAGE_H - MARGIN
ROW_H = 6
LINE_H = 4.4  # each further line of a wrapped row
GROUP_GAP = 3
FONT_SIZE = 10
MOVE_GROUP_BELOW = 0.4  # start a group on a new page when less than this is left

FILL_GROUP = "#DCE2E6"
FILLS_GROUP_ONLY = ["#EEF1F3", "#E2E7EA"]
FILLS_RECORD = ["#F7F8F8", "#EDEFF0"]
TEXT = "#0F2C3E"
MUTED = "#6B7A84"

_state = {"loading": None}


# %% Layout (pure)


def wrap_text(text, width, measure):
    """Lines of ``text`` no wider than ``width`` by ``measure(text)``: broken at
    spaces, words longer than a line broken where they must be."""
    text = str(text or "")
    words = text.split(" ")
    lines = []
    cur = ""
    for word in words:
        cand = (cur + " " + word) if cur else word
        if measure(cand) <= width:
            cur = cand
            continue
        if cur:
            lines.append(cur)
            cur = ""
        while len(word) > 1 and measure(word) > width:
            k = len(word) - 1
            while k > 1 and measure(word[:k]) > width:
                k -= 1
            lines.append(word[:k])
            word = word[k:]
        cur = word
    if cur or len(lines) == 0:
        lines.append(cur)
    return lines


def columns(report, measure):
    """The x positions (mm) of the table's columns, from the widest texts:
    ``{dur_right, date, start, stop, desc, desc_w, title_w, amount_right}``; with
    rates the amounts are right-aligned at ``amount_right`` (else it is 0)."""
    dur_w = 15
    date_w = 0
    amount_w = 0
    for row in report.rows:
        if row.duration_text is not undefined:
            dur_w = max(dur_w, measure(row.duration_text, True) + 1)
        if row.type == "record":
            date_w = max(date_w, measure(row.date, False))
        if report.has_rates and row.amount_text:
            amount_w = max(amount_w, measure(row.amount_text, True) + 4)
    dur_right = MARGIN + dur_w
    x_date = dur_right + 4
    x_start = x_date + max(date_w, 14) + 3
    x_stop = x_start + measure("00:00", False) + 1.5
    x_desc = x_stop + measure("- 00:00", False) + 4
    return {
        "dur_right": dur_right,
        "date": x_date,
        "start": x_start,
        "stop": x_stop,
        "desc": x_desc,
        "desc_w": PAGE_W - MARGIN - x_desc - amount_w,
        "title_w": PAGE_W - MARGIN - x_date - amount_w,
        "amount_right": PAGE_W - MARGIN if amount_w else 0,
    }


def _segments(rows):
    """The rows split into blocks that belong together: the total, then each group
    (its header and its records); the spacer rows are left out."""
    segments = []
    cur = None
    for row in rows:
        if row.type == "total":
            segments.append([row])
            cur = None
        elif row.type == "spacer":
            cur = []
            segments.append(cur)
        elif row.type == "group":
            if cur is not None and len(cur) == 0:
                cur.append(row)  # the group right after its spacer
            else:
                cur = [row]
                segments.append(cur)
        else:
            if cur is None:
                cur = []
                segments.append(cur)
            cur.append(row)
    return [seg for seg in segments if len(seg) > 0]


def layout(report, measure):
    """Place the report's rows on pages. ``measure(text, bold)`` is the width (mm)
    of a text at the table's font size. Returns ``{pages, cols}``: ``pages`` is a
    list of pages, each a list of items ``{kind, y, h, lines, fill, row}`` with
    ``kind`` "total", "group", "record" or "continued" and ``y`` the item's top."""
    cols = columns(report, measure)
    showrecords = report.options.showrecords

    def measure_regular(text):
        return measure(text, False)

    def measure_bold(text):
        return measure(text, True)

    def row_item(row, index):
        if row.type == "record":
            lines = wrap_text(row.description or "-", cols.desc_w, measure_regular)
            fill = FILLS_RECORD[index % 2]
        elif row.type == "total":
            lines = ["Total"]
            fill = None
        else:
            lines = wrap_text(row.title, cols.title_w, measure_bold)
            fill = FILL_GROUP if showrecords else FILLS_GROUP_ONLY[index % 2]
        h = ROW_H + (len(lines) - 1) * LINE_H
        return {
            "kind": row.type,
            "y": 0,
            "h": h,
            "lines": lines,
            "fill": fill,
            "row": row,
        }

    pages = [[]]
    state = {"y": TABLE_TOP_FIRST}
    fresh = BOTTOM - TABLE_TOP
    group_index = 0
    segments = _segments(report.rows)
    for si in range(len(segments)):
        seg = segments[si]
        items = []
        for ri in range(len(seg)):
            row = seg[ri]
            if row.type == "group":
                items.append(row_item(row, group_index))
                group_index += 1
            else:
                items.append(row_item(row, ri))
        gap = GROUP_GAP if (si > 0 and showrecords) else 0
        total_h = gap
        for item in items:
            total_h += item.h
        avail = BOTTOM - state.y
        if total_h > avail and len(pages[-1]) > 0:
            head_h = gap + items[0].h + (items[1].h if len(items) > 1 else 0)
            if (total_h - gap <= fresh and avail < MOVE_GROUP_BELOW * fresh) or (
                head_h > avail
            ):
                pages.append([])
                state.y = TABLE_TOP
                gap = 0
        state.y += gap
        header = seg[0] if seg[0].type == "group" else None
        for item in items:
            if state.y + item.h > BOTTOM and len(pages[-1]) > 0:
                pages.append([])
                state.y = TABLE_TOP
                if header is not None and item.kind == "record":
                    cont = row_item(header, 0)
                    cont.kind = "continued"
                    cont.lines = [cont.lines[0] + " (continued)"]
                    cont.h = ROW_H
                    cont.fill = None
                    cont.y = state.y
                    pages[-1].append(cont)
                    state.y += cont.h
            item.y = state.y
            pages[-1].append(item)
            state.y += item.h
    return {"pages": pages, "cols": cols}


# %% Drawing


def _draw_logo(doc, x, y, size):
    """The app icon (site_src/icon.svg) drawn with vector shapes, ``size`` mm wide."""
    k = size / 64
    doc.setFillColor("#0F2C3E")
    doc.roundedRect(x, y, 64 * k, 64 * k, 12 * k, 12 * k, "F")
    doc.setLineWidth(5 * k)
    doc.setDrawColor("#F4F4F4")
    doc.circle(x + 32 * k, y + 34 * k, 20 * k, "S")
    doc.setDrawColor("#DEAA22")
    doc.setLineCap("round")
    doc.setLineJoin("round")
    doc.lines([[0, 13 * k], [9 * k, 6 * k]], x + 32 * k, y + 22 * k, [1, 1], "S", False)
    doc.setFillColor("#DEAA22")
    doc.roundedRect(x + 27 * k, y + 6 * k, 10 * k, 6 * k, 2 * k, 2 * k, "F")


def build_pdf(lib, report, info):
    """The report as a jsPDF document. ``lib``: ``{jsPDF, fonts, compress}``
    (``fonts``: ``{regular, bold}`` binary strings of TTF files, or None for
    Helvetica; ``compress`` False leaves the page streams readable, for tests);
    ``info``: ``{tags, from, until}`` as texts (see reportdialog.report_info), and
    optionally ``color_of(tag)`` for the charts' colours."""
    JsPDF = lib.jsPDF
    doc = JsPDF(
        {
            "orientation": "portrait",
            "unit": "mm",
            "format": "a4",
            "compress": lib.compress is not False,
        }
    )
    family = "helvetica"
    if lib.fonts:
        doc.addFileToVFS(FONT + ".ttf", lib.fonts.regular)
        doc.addFont(FONT + ".ttf", FONT, "normal")
        doc.addFileToVFS(FONT + "-Bold.ttf", lib.fonts.bold)
        doc.addFont(FONT + "-Bold.ttf", FONT, "bold")
        family = FONT
    doc.setProperties(
        {
            "title": "Time record report " + info["from"] + " - " + info.until,
            "subject": "Tags: " + info.tags,
            "creator": "TimeTagger",
        }
    )

    def font(bold, size):
        doc.setFont(family, "bold" if bold else "normal")
        doc.setFontSize(size)

    def measure(text, bold):
        font(bold, FONT_SIZE)
        return doc.getTextWidth(str(text))

    placed = layout(report, measure)
    pages = placed.pages
    cols = placed.cols
    with_charts = report.total > 0
    n = len(pages) + (1 if with_charts else 0)
    for p in range(len(pages)):
        if p > 0:
            doc.addPage()
        if p == 0:
            doc.setTextColor(TEXT)
            font(True, 24)
            doc.text("Time record report", MARGIN, MARGIN + 8)
            _draw_logo(doc, PAGE_W - MARGIN - 24, MARGIN - 4, 24)
            labels = [
                ["Tags", info.tags],
                ["From", info["from"]],
                ["Until", info.until],
            ]
            for i in range(len(labels)):
                y = MARGIN + 18 + i * 5.5
                font(True, 11)
                doc.text(labels[i][0] + ":", MARGIN, y)
                font(False, 11)
                doc.text(str(labels[i][1]), MARGIN + 16, y)
        font(False, 8)
        doc.setTextColor(MUTED)
        doc.text(
            str(p + 1) + "/" + str(n), PAGE_W - MARGIN, MARGIN - 8, {"align": "right"}
        )
        for item in pages[p]:
            _draw_item(doc, item, cols, font)
    if with_charts:
        doc.addPage()
        font(False, 8)
        doc.setTextColor(MUTED)
        doc.text(str(n) + "/" + str(n), PAGE_W - MARGIN, MARGIN - 8, {"align": "right"})
        data = reportcharts.chart_data(report, info.color_of or None)
        reportcharts.pdf_charts(
            doc, data, MARGIN, MARGIN, PAGE_W - 2 * MARGIN, TEXT, MUTED, font
        )
    return doc


def _draw_item(doc, item, cols, font):
    row = item.row
    if item.fill:
        doc.setFillColor(item.fill)
        doc.rect(MARGIN - 2, item.y, PAGE_W - 2 * MARGIN + 4, item.h, "F")
    base = item.y + 4.2
    kind = item.kind
    bold = kind != "record"
    doc.setTextColor(MUTED if kind == "continued" else TEXT)
    font(bold, FONT_SIZE)
    if kind != "continued":
        doc.text(str(row.duration_text), cols.dur_right, base, {"align": "right"})
    if kind == "record":
        font(False, FONT_SIZE)
        doc.text(str(row.date), cols.date, base)
        doc.text(str(row.start), cols.start, base)
        doc.text("- " + str(row.stop), cols.stop, base)
        x = cols.desc
    else:
        x = cols.date
    for i in range(len(item.lines)):
        doc.text(item.lines[i], x, base + i * LINE_H)
    if cols.amount_right and kind != "continued" and row.amount_text:
        font(bold, FONT_SIZE)
        doc.text(str(row.amount_text), cols.amount_right, base, {"align": "right"})
    if kind == "total":
        doc.setDrawColor(TEXT)
        doc.setLineWidth(0.3)
        doc.line(MARGIN - 2, item.y + item.h, PAGE_W - MARGIN + 2, item.y + item.h)


# %% Loading the library on demand


def _lazy_url():
    return env.site_root_url() + LAZY_PAGE


async def _asset_urls():
    """``{id: absolute URL}`` of the lazily loaded assets (vendor/lazy.html)."""
    url = _lazy_url()
    res = await window.fetch(url)
    if not res.ok:
        raise RuntimeError(
            "cannot load " + LAZY_PAGE + " (HTTP " + str(res.status) + ")"
        )
    text = await res.text()
    parsed = window.DOMParser().parseFromString(text, "text/html")
    urls = {}
    for link in window.Array.prototype.slice.call(parsed.querySelectorAll("link[id]")):
        urls[link.id] = window.URL(link.getAttribute("href"), url).href
    return urls


def _add_script(src):
    def run(resolve, reject):
        script = window.document.createElement("script")
        script.src = src
        script.setAttribute("async", "")
        script.onload = lambda e: resolve(True)
        script.onerror = lambda e: reject(window.Error("cannot load " + src))
        window.document.head.appendChild(script)

    return window.Promise(run)


async def _fetch_binary(url):
    res = await window.fetch(url)
    if not res.ok:
        raise RuntimeError("cannot load " + url + " (HTTP " + str(res.status) + ")")
    buf = await res.arrayBuffer()
    data = window.Uint8Array(buf)
    chunks = []
    step = 0x8000
    for i in range(0, data.length, step):
        chunks.append(
            window.String.fromCharCode.apply(None, data.subarray(i, i + step))
        )
    return "".join(chunks)


async def _load():
    urls = await _asset_urls()
    for name in ["jspdf", "font-regular", "font-bold"]:
        if not urls[name]:
            raise RuntimeError(LAZY_PAGE + " does not name " + name)
    if not (window.jspdf and window.jspdf.jsPDF):
        await _add_script(urls.jspdf)
    if not (window.jspdf and window.jspdf.jsPDF):
        raise RuntimeError("the PDF library did not load")
    regular = await _fetch_binary(urls["font-regular"])
    bold = await _fetch_binary(urls["font-bold"])
    return {"jsPDF": window.jspdf.jsPDF, "fonts": {"regular": regular, "bold": bold}}


def is_loaded():
    """Whether the PDF library is on the page (after a first export)."""
    return bool(window.jspdf and window.jspdf.jsPDF)


def load_library():
    """A promise of ``{jsPDF, fonts}``; loads once, retries after a failure."""
    if _state.loading is None:

        def failed(err):
            _state.loading = None
            msg = str(err.message or err)
            raise RuntimeError("the PDF library could not be loaded (offline?): " + msg)

        _state.loading = _load().catch(failed)
    return _state.loading


async def report_pdf(report, info):
    """The report as a PDF Blob (loads the library on first use)."""
    lib = await load_library()
    doc = build_pdf(lib, report, info)
    return doc.output("blob")
