"""The statistics mode of the timeline (TL-19): one block per period of the range.

For ranges of two days and more, the timeline shows, right of its tick column, one
block per day, week, month, quarter or year (``timescale.stats_unit``): a bold label
(``Mon 5``, ``W05``, ``Jan``, ``Q1``, ``2024``, stronger for the block with now in it),
the tracked time (``selected / total`` with an overview filter), and horizontal
segments per primary tag (TG-08) proportional to their time (with a filter: the
selected tags' share of the width, the rest empty), desaturated, with the top
part (the fraction of the period that was tracked) stronger: a "how full" indicator.
Free days (ST-02) are darker and show no zero. A click zooms to the block (timeline).

Statistics are cached per block and store version (``tl.block_cache``), so panning a
year of 100,000 records only computes the blocks that come into view; the block with
now in it is recomputed every second while a timer runs.
"""

from ..core import dt, settings, tags
from . import canvas, timescale


def block_stats(tl, b1, b2):
    """Statistics of one block, cached per store version (the block with a running
    record in it is recomputed every second)."""
    if tl.block_cache_version != tl.version:
        tl.block_cache = {}
        tl.block_cache_version = tl.version
    key = b1 + ":" + b2
    now = dt.now()
    hit = tl.block_cache[key]
    live = b1 <= now and b2 > now - 1
    if hit is undefined or (live and hit.second != Math.floor(now)):
        stats = tl.app.store.records.get_stats(b1, b2)
        hit = {"stats": stats, "second": Math.floor(now), "summary": None}
        tl.block_cache[key] = hit
    return hit


def block_summary(tl, hit, b1, b2):
    """Totals and per-primary-tag times of a block, for the selected tags."""
    selected = tl.app.selected_tags
    key = " ".join(selected)
    if hit.summary is not None and hit.summary.key == key:
        return hit.summary
    stats = hit.stats
    total = 0
    sel_total = 0
    per_tag = {}
    all_tag_time = 0  # primary-tag time of the block, filter or not
    for tagz in stats.keys():
        secs = stats[tagz]
        total += secs
        tlist = tagz.split(" ")
        for tag in tlist:
            if tl.tag_priority(tag) <= 1:
                all_tag_time += secs
        if len(selected) > 0 and not tags.has_all_tags(tlist, selected):
            continue
        sel_total += secs
        for tag in tlist:
            if tl.tag_priority(tag) <= 1:
                per_tag[tag] = (per_tag[tag] or 0) + secs
    parts = []
    tag_time = 0
    for tag in per_tag.keys():
        parts.append([tag, per_tag[tag], tl.tag_color(tag)])
        tag_time += per_tag[tag]
    parts.sort(lambda a, b: (b[1] - a[1]) or (-1 if a[0] < b[0] else 1))
    hit.summary = {
        "key": key,
        "total": total,
        "selected": sel_total,
        "parts": parts,
        "tag_time": tag_time,
        "all_tag_time": max(all_tag_time, tag_time),
        "fill": min(1, tag_time / max(1, b2 - b1)),
    }
    return hit.summary


def draw(tl, ctx, pal, t1, t2):
    unit = timescale.stats_unit(t1, t2)
    fdow = tl.app.first_day_of_week()
    workdays = settings.peek("workdays") or 0
    now = dt.now()
    drepr = tl.app.duration_repr()
    selected = tl.app.selected_tags
    bx = tl.label_x
    bw = tl.right - bx
    ext0 = tl.y2t(-2)
    ext1 = tl.y2t(tl.h + 2)
    blocks = timescale.tick_times(ext0, ext1, unit, fdow, 400)
    # Rounded border around the block area
    ya = max(tl.t2y(t1), -4)
    yb = min(tl.t2y(t2), tl.h + 4)
    ctx.fillStyle = pal.block
    canvas.round_rect(ctx, bx, ya, bw, yb - ya, 6)
    ctx.fill()
    ctx.save()
    ctx.clip()
    for b1 in blocks:
        if b1 >= ext1:
            break
        b2 = dt.add(b1, unit)
        y1 = tl.t2y(b1)
        y2 = tl.t2y(b2)
        if y2 < -2:
            continue
        hit = block_stats(tl, b1, b2)
        s = block_summary(tl, hit, b1, b2)
        bh = y2 - y1
        free = unit == "1D" and timescale.is_free_day(b1, workdays)
        # Coloured segments per primary tag, proportional to time
        if s.tag_time > 0:
            x = bx
            for part in s.parts:
                # With a filter, the selected tags' share of the block's time.
                pw = bw * part[1] / s.all_tag_time
                ctx.fillStyle = part[2]
                ctx.fillRect(x, y1, pw + 0.5, bh)
                x += pw
            # Desaturate; the top part (fraction = how full) stays stronger.
            ctx.fillStyle = pal.block_fade
            ctx.fillRect(bx, y1, x - bx, bh)
            ctx.fillStyle = pal.block_fade2
            yf = y1 + bh * s.fill
            ctx.fillRect(bx, yf, x - bx, y2 - yf)
        if free:
            ctx.fillStyle = pal.free_day
            ctx.fillRect(bx, y1, bw, bh)
        if tl.hover_block == b1:
            ctx.fillStyle = pal.hover
            ctx.fillRect(bx, y1, bw, bh)
        # Separator line across tick column and block area
        ctx.fillStyle = pal.panel_edge
        ctx.fillRect(bx, Math.round(y1), bw, 1)
        # Texts, in the part of the block that is seen: a block cut at the top (the
        # current week early in a month) keeps its label and total.
        vy1 = max(y1, ya)
        vh = min(y2, yb) - vy1
        if vh >= 14:
            contains_now = b1 <= now < b2
            cy = vy1 + min(vh / 2, 16)
            big = vh >= 30
            ctx.textBaseline = "middle"
            ctx.textAlign = "right"
            ctx.font = ("bold 14px " if big else "bold 12px ") + tl._font
            ctx.fillStyle = pal.text if contains_now else pal.muted
            label = timescale.block_label(b1, unit, fdow)
            ctx.fillText(label, bx + bw - 10, cy)
            lw = tl._measure(ctx, label)
            ctx.textAlign = "left"
            ctx.font = ("600 13px " if big else "600 11px ") + tl._font
            ctx.fillStyle = pal.text
            if len(selected) > 0:
                text = (
                    dt.duration_string(s.selected, False, drepr)
                    + " / "
                    + dt.duration_string(s.total, False, drepr)
                )
            else:
                text = dt.duration_string(s.total, False, drepr)
            if s.total > 0:
                ctx.fillText(tl._fit(ctx, text, bw - lw - 30), bx + 10, cy)
        tl._hits.append(["block", tl.col_x, y1, tl.right - tl.col_x, bh, [b1, b2]])
        tl.add_region(bx, y1, bw, bh, "click to zoom in", "at")
    ctx.restore()
    ctx.strokeStyle = pal.panel_edge
    ctx.lineWidth = 1
    canvas.round_rect(ctx, bx + 0.5, ya + 0.5, bw - 1, yb - ya - 1, 6)
    ctx.stroke()
