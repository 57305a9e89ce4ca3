"""Charts of a report: the time per tag (horizontal bars) and the time per period
stacked by tag, in the tags' colours; drawn on a canvas (the report dialog) and with
jsPDF's shapes (the PDF). Part of the lazily loaded bundle, like the report.

Which tag a record counts for: every record counts once, for the leading tag of its
combination in the better tag order (TG-13, the filter tags left out), so the bars
and each stacked column add up to the report's total; records without other tags
count as "Other". The per-period chart uses the report's period, or when the report
has none, one chosen from the range's length (day up to 5 weeks, week up to half a
year, month up to 3 years, else year); periods without time are drawn empty.

``chart_data``, ``bar_layout`` and ``chart_labels`` are pure and tested in node; the
drawing functions take a canvas (or a jsPDF document) and only draw, but for
``draw_charts``, which also labels the canvases for screen readers (the report
dialog and the shared page both draw through it).
"""

from pscript import window

from ..core import colors, dt, tagorder
from . import reports

OTHER = "Other"
MAX_TAGS = 12  # more tags are summed into "Other" (a chart must stay readable)
_UNITS = {"day": "1D", "week": "1W", "month": "1M", "quarter": "3M", "year": "1Y"}


def auto_period(t1, t2):
    """The period of the per-period chart for a range without a report period."""
    days = (t2 - t1) / 86400
    if days <= 1.5:
        return "none"
    if days <= 36:
        return "day"
    if days <= 190:
        return "week"
    if days <= 1100:
        return "month"
    return "year"


def _entries(report):
    result = []
    for group in report.groups:
        for entry in group.entries:
            result.append(entry)
    return result


def chart_data(report, color_of=None):
    """What both charts show: ``{total, period, tags, periods}``.

    ``tags``: ``[{key, label, color, seconds}]`` largest first (the tag, or "Other");
    ``periods``: ``[{label, short, start, total, parts}]`` in time order (``short``:
    the label drawn under the column, e.g. ``11 Mar``, ``W11``), ``parts`` a dict
    key -> seconds; ``period``: the period used ("none": one column for the range).
    Durations are the report's rounded ones, so they add up to ``report.total``.
    ``color_of(tag)`` gives a tag's colour (default: the accent)."""
    opts = report.options
    entries = _entries(report)
    stats = {}
    for entry in entries:
        key = " ".join(entry.tagz_list)
        stats[key] = (stats[key] or 0) + entry.seconds
    ordered = tagorder.better_tag_order(stats, opts.tags, True, opts.priorities)
    per_tag = {}
    for entry in entries:
        lead = ordered[" ".join(entry.tagz_list)]
        tag = lead[0] if lead and len(lead) and lead[0] else OTHER
        entry.chart_tag = tag
        per_tag[tag] = (per_tag[tag] or 0) + entry.duration
    tag_list = []
    for tag in per_tag.keys():
        tag_list.append({"key": tag, "label": tag, "seconds": per_tag[tag]})
    window.Array.prototype.sort.call(
        tag_list,
        lambda a, b: (b.seconds - a.seconds) or (-1 if a.key < b.key else 1),
    )
    if len(tag_list) > MAX_TAGS:
        kept = tag_list[: MAX_TAGS - 1]
        rest = 0
        merged = {}
        for item in tag_list[MAX_TAGS - 1 :]:
            rest += item.seconds
            merged[item.key] = True
        for entry in entries:
            if merged[entry.chart_tag]:
                entry.chart_tag = OTHER
        other = None
        for item in kept:
            if item.key == OTHER:
                other = item
        if other is None:
            kept.append({"key": OTHER, "label": OTHER, "seconds": rest})
        else:
            other.seconds += rest
        tag_list = kept
    for item in tag_list:
        if item.key == OTHER or not color_of:
            item.color = colors.ACCENT if item.key != OTHER else "#8C9AA3"
        else:
            item.color = colors.valid_color(color_of(item.key), colors.ACCENT)

    period = opts.groupperiod
    if period == "none":
        period = auto_period(report.t1, report.t2)
    periods = []
    index = {}
    if period == "none":
        periods.append(
            {"label": "", "short": "", "start": report.t1, "total": 0, "parts": {}}
        )
        index[""] = 0
    else:
        t = reports.period_of(
            report.t1, period, opts.date_repr, opts.first_day_of_week
        )[1]
        count = 0
        while t < report.t2 and count < 400:
            label = reports.period_of(
                t, period, opts.date_repr, opts.first_day_of_week
            )[0]
            index[label] = len(periods)
            periods.append(
                {
                    "label": label,
                    "short": short_label(t, period, label),
                    "start": t,
                    "total": 0,
                    "parts": {},
                }
            )
            t = dt.add(t, _UNITS[period])
            count += 1
    for entry in entries:
        if period == "none":
            label = ""
        else:
            label = reports.period_of(
                entry.start, period, opts.date_repr, opts.first_day_of_week
            )[0]
        i = index[label]
        if i is undefined:
            continue  # beyond the 400 columns we draw
        p = periods[i]
        p.total += entry.duration
        p.parts[entry.chart_tag] = (p.parts[entry.chart_tag] or 0) + entry.duration
    return {
        "total": report.total,
        "period": period,
        "tags": tag_list,
        "periods": periods,
    }


def short_label(t, period, label):
    """The label under a column: ``11 Mar`` (day), ``W11`` (week), ``Mar 24``
    (month); quarters and years as in the report."""
    f = dt.fields(t)
    if period == "day":
        return str(f[2]) + " " + dt.MONTH_NAMES[f[1] - 1]
    elif period == "week":
        return "W" + label.split("W")[1]
    elif period == "month":
        return dt.MONTH_NAMES[f[1] - 1] + " " + str(f[0])[2:]
    return label


def short_duration(seconds):
    """``7h``, ``7h30``, ``45m``: durations in the charts' small labels."""
    minutes = Math.round(seconds / 60)
    h = Math.floor(minutes / 60)
    m = minutes % 60
    if h == 0:
        return str(m) + "m"
    if m == 0:
        return str(h) + "h"
    return str(h) + "h" + ("0" if m < 10 else "") + str(m)


def _axis_text(hours):
    return "0" if hours == 0 else short_duration(hours * 3600)


def nice_step(max_value, ticks=4):
    """A round step (in hours) for about ``ticks`` grid lines up to ``max_value``
    hours: 1, 2 or 5 times a power of ten (at least 0.5)."""
    raw = max(max_value, 0.5) / ticks
    base = Math.pow(10, Math.floor(Math.log10(raw)))
    for k in [1, 2, 5, 10]:
        if k * base >= raw:
            return max(0.5, k * base)
    return max(0.5, 10 * base)


def bar_layout(data, width, height, measure):
    """Where the per-period chart's columns go: ``{x0, y0, plot_w, plot_h, step,
    bar_w, max_hours, label_every}`` for a chart of ``width`` x ``height`` with
    labels measured by ``measure(text)``; labels are shown on every
    ``label_every``-th column so they never overlap."""
    n = max(1, len(data.periods))
    max_seconds = 0
    for p in data.periods:
        max_seconds = max(max_seconds, p.total)
    step_h = nice_step(max_seconds / 3600)
    max_hours = max(step_h, Math.ceil(max_seconds / 3600 / step_h) * step_h)
    x0 = measure(str(max_hours) + "h") + 8
    plot_w = max(10, width - x0 - 4)
    y0 = 8
    plot_h = max(10, height - y0 - 22)
    step = plot_w / n
    bar_w = max(1, min(48, step * 0.7))
    widest = 0
    for p in data.periods:
        widest = max(widest, measure(p.short))
    label_every = max(1, Math.ceil((widest + 8) / step))
    return {
        "x0": x0,
        "y0": y0,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "step": step,
        "bar_w": bar_w,
        "max_hours": max_hours,
        "step_hours": step_h,
        "label_every": label_every,
    }


# %% Drawing on a canvas (the dialog)


def _prepare(canvas, css_height):
    """Size the canvas for the device's pixels; returns ``[ctx, width, height]`` in
    CSS pixels."""
    ratio = window.devicePixelRatio or 1
    width = canvas.clientWidth or 300
    canvas.width = Math.round(width * ratio)
    canvas.height = Math.round(css_height * ratio)
    canvas.style.height = css_height + "px"
    ctx = canvas.getContext("2d")
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    ctx.clearRect(0, 0, width, css_height)
    return [ctx, width, css_height]


def tags_height(data):
    return max(1, len(data.tags)) * 26 + 8


def draw_tag_bars(canvas, data, palette):
    """The time per tag: one bar per tag, its label and duration beside it."""
    prep = _prepare(canvas, tags_height(data))
    ctx = prep[0]
    width = prep[1]
    ctx.font = "13px sans-serif"
    ctx.textBaseline = "middle"
    label_w = 0
    for item in data.tags:
        label_w = max(label_w, ctx.measureText(item.label).width)
    label_w = min(label_w, width * 0.4)
    max_seconds = 1
    for item in data.tags:
        max_seconds = max(max_seconds, item.seconds)
    x_bar = label_w + 10
    bar_space = max(10, width - x_bar - 64)
    for i in range(len(data.tags)):
        item = data.tags[i]
        y = 4 + i * 26
        ctx.fillStyle = palette.text
        ctx.textAlign = "right"
        ctx.fillText(_fit(ctx, item.label, label_w), label_w, y + 11)
        w = max(2, bar_space * item.seconds / max_seconds)
        ctx.fillStyle = item.color
        _round_rect(ctx, x_bar, y + 2, w, 18, 4)
        ctx.fillStyle = palette.muted
        ctx.textAlign = "left"
        ctx.fillText(short_duration(item.seconds), x_bar + w + 6, y + 11)


def draw_period_bars(canvas, data, palette, css_height=180):
    """The time per period, each column stacked by tag in the order of the tag bars."""
    prep = _prepare(canvas, css_height)
    ctx = prep[0]
    ctx.font = "11px sans-serif"
    lay = bar_layout(data, prep[1], prep[2], lambda t: ctx.measureText(t).width)
    scale = lay.plot_h / (lay.max_hours * 3600)
    # grid lines and hour labels
    ctx.strokeStyle = palette.faint
    ctx.fillStyle = palette.muted
    ctx.lineWidth = 1
    ctx.textAlign = "right"
    ctx.textBaseline = "middle"
    h = 0
    while h <= lay.max_hours + 1e-9:
        y = Math.round(lay.y0 + lay.plot_h - h * 3600 * scale) + 0.5
        ctx.globalAlpha = 0.5
        ctx.beginPath()
        ctx.moveTo(lay.x0, y)
        ctx.lineTo(lay.x0 + lay.plot_w, y)
        ctx.stroke()
        ctx.globalAlpha = 1
        ctx.fillText(_axis_text(h), lay.x0 - 4, y)
        h += lay.step_hours
    ctx.textAlign = "center"
    ctx.textBaseline = "top"
    width = prep[1]
    for i in range(len(data.periods)):
        p = data.periods[i]
        cx = lay.x0 + (i + 0.5) * lay.step
        y = lay.y0 + lay.plot_h
        for item in data.tags:
            seconds = p.parts[item.key] or 0
            if seconds <= 0:
                continue
            bh = seconds * scale
            ctx.fillStyle = item.color
            # a pixel between the parts, so tags of one colour stay apart
            gap = 1 if bh > 3 else 0
            ctx.fillRect(cx - lay.bar_w / 2, y - bh + gap, lay.bar_w, bh - gap)
            y -= bh
        if p.short and i % lay.label_every == 0:
            half = ctx.measureText(p.short).width / 2
            lx = min(max(cx, half), width - half - 1)
            ctx.fillStyle = palette.muted
            ctx.fillText(p.short, lx, lay.y0 + lay.plot_h + 5)


def chart_labels(data):
    """What the two charts say, as plain text for screen readers (their
    ``aria-label``, which the tests read too): ``{period, tags, periods}``, with
    ``period`` the name in the per-period chart's caption ("range" when none)."""
    name = "range" if data.period == "none" else data.period
    tag_parts = [item.label + " " + short_duration(item.seconds) for item in data.tags]
    period_parts = [
        (p.label or "range") + " " + short_duration(p.total) for p in data.periods
    ]
    return {
        "period": name,
        "tags": "Time per tag: " + ", ".join(tag_parts),
        "periods": "Time per " + name + ": " + ", ".join(period_parts),
    }


def draw_charts(tags_canvas, periods_canvas, period_caption, data, palette):
    """Draw both charts (the report dialog's and the shared page's), give each
    canvas its ``aria-label`` and put the period's name in ``period_caption``."""
    draw_tag_bars(tags_canvas, data, palette)
    draw_period_bars(periods_canvas, data, palette)
    labels = chart_labels(data)
    tags_canvas.setAttribute("aria-label", labels.tags)
    periods_canvas.setAttribute("aria-label", labels.periods)
    period_caption.textContent = labels.period


def _fit(ctx, text, width):
    if ctx.measureText(text).width <= width:
        return text
    while len(text) > 1 and ctx.measureText(text + "\u2026").width > width:
        text = text[:-1]
    return text + "\u2026"


def _round_rect(ctx, x, y, w, h, r):
    r = min(r, w / 2, h / 2)
    ctx.beginPath()
    ctx.moveTo(x + r, y)
    ctx.arcTo(x + w, y, x + w, y + h, r)
    ctx.arcTo(x + w, y + h, x, y + h, r)
    ctx.arcTo(x, y + h, x, y, r)
    ctx.arcTo(x, y, x + w, y, r)
    ctx.closePath()
    ctx.fill()


# %% Drawing in the PDF (jsPDF, millimetres)


def to_hex(color):
    """A colour as ``#rrggbb`` for jsPDF: hex colours directly, other CSS colours
    through a canvas when there is a document, else the accent."""
    s = str(color or "").strip()
    if RegExp("^#[0-9a-fA-F]{6}$").test(s):
        return s.toUpperCase()
    if RegExp("^#[0-9a-fA-F]{3}$").test(s):
        return ("#" + s[1] + s[1] + s[2] + s[2] + s[3] + s[3]).toUpperCase()
    if window.document and window.document.createElement:
        ctx = window.document.createElement("canvas").getContext("2d")
        if ctx:
            ctx.fillStyle = "#000000"
            ctx.fillStyle = s
            got = str(ctx.fillStyle)
            if RegExp("^#[0-9a-fA-F]{6}$").test(got):
                return got.toUpperCase()
    return colors.ACCENT


def pdf_charts(doc, data, x, y, width, text_color, muted, font):
    """Both charts on a PDF page from ``(x, y)`` (mm), ``width`` wide. ``font(bold,
    size)`` sets the font. Returns the y below them."""
    font(True, 13)
    doc.setTextColor(text_color)
    doc.text("Time per tag", x, y + 5)
    y += 10
    font(False, 9)
    label_w = 0
    for item in data.tags:
        label_w = max(label_w, doc.getTextWidth(item.label))
    label_w = min(label_w, width * 0.4)
    max_seconds = 1
    for item in data.tags:
        max_seconds = max(max_seconds, item.seconds)
    x_bar = x + label_w + 3
    bar_space = width - label_w - 20
    for item in data.tags:
        doc.setTextColor(text_color)
        doc.text(item.label, x + label_w, y + 3.6, {"align": "right"})
        w = max(0.5, bar_space * item.seconds / max_seconds)
        doc.setFillColor(to_hex(item.color))
        doc.rect(x_bar, y, w, 5, "F")
        doc.setTextColor(muted)
        doc.text(short_duration(item.seconds), x_bar + w + 2, y + 3.6)
        y += 7
    y += 6
    font(True, 13)
    doc.setTextColor(text_color)
    doc.text("Time per period", x, y + 5)
    y += 10
    font(False, 7)

    def measure(text):
        return doc.getTextWidth(text)

    height = 70
    lay = bar_layout(data, width, height, measure)
    scale = lay.plot_h / (lay.max_hours * 3600)
    doc.setDrawColor("#C5CCD1")
    doc.setLineWidth(0.2)
    h = 0
    while h <= lay.max_hours + 1e-9:
        gy = y + lay.y0 + lay.plot_h - h * 3600 * scale
        doc.line(x + lay.x0, gy, x + lay.x0 + lay.plot_w, gy)
        doc.setTextColor(muted)
        doc.text(_axis_text(h), x + lay.x0 - 1.5, gy + 1, {"align": "right"})
        h += lay.step_hours
    for i in range(len(data.periods)):
        p = data.periods[i]
        cx = x + lay.x0 + (i + 0.5) * lay.step
        top = y + lay.y0 + lay.plot_h
        for item in data.tags:
            seconds = p.parts[item.key] or 0
            if seconds <= 0:
                continue
            bh = seconds * scale
            gap = 0.3 if bh > 1 else 0
            doc.setFillColor(to_hex(item.color))
            doc.rect(cx - lay.bar_w / 2, top - bh + gap, lay.bar_w, bh - gap, "F")
            top -= bh
        if p.short and i % lay.label_every == 0:
            half = doc.getTextWidth(p.short) / 2
            lx = min(max(cx, x + half), x + width - half)
            doc.setTextColor(muted)
            doc.text(p.short, lx, y + lay.y0 + lay.plot_h + 4, {"align": "center"})
    return y + height
