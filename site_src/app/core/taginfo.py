"""Tag info (TG-15): colour, priority and targets of a tag or tag combination.

Stored as the synced setting ``taginfo <tagz>`` (``tagz``: the sorted tags joined by
spaces, e.g. ``taginfo #client1 #code``) with value ``{color, priority, targets}``:
``color`` a CSS colour ("" = the default accent), ``priority`` 0 (primary) or 2
(secondary), ``targets`` ``{period: hours}`` with period ``day``/``week``/``month``/
``year`` (TP-02), and optionally ``rate``: the hourly rate, a finite non-negative JSON
number (anything else stored there, e.g. a text or a negative number, is ignored: the
tag has no rate). Reading merges, in increasing precedence, the legacy ``color <tagz>``
setting, the legacy ``tag_targets`` setting (``{tagz: {period, hours}}``) and
``taginfo <tagz>``. The info returned uses ``priority`` 1 (primary) or 2 (secondary)
(TG-08) and ``rate`` None when there is none. Writing an all-empty info is skipped when none is stored yet.

Colours are read through ``colors.valid_color``: a stored text that is not a colour
(any API token can write settings) reads as the default colour, so what reaches a
``style`` attribute or the canvas is always a colour.
"""

from pscript import window

from . import colors, settings

DEFAULT_COLOR = colors.ACCENT
PERIODS = ["day", "week", "month", "year"]


def normalize_tagz(tagz):
    """The canonical key of a tag combination: lower-case tags, sorted, one space."""
    tags = []
    for part in str(tagz or "").split(" "):
        part = part.strip().toLowerCase()
        if part and part not in tags:
            tags.append(part)
    tags.sort()
    return " ".join(tags)


def _clean_targets(targets):
    clean = {}
    if isinstance(targets, dict):
        for period in PERIODS:
            hours = window.parseFloat(targets[period])
            if window.isFinite(hours) and hours > 0:
                clean[period] = hours
    return clean


MAX_RATE = 1e9  # beyond any real hourly rate; keeps the sums exact in cents


def clean_rate(value):
    """The hourly rate ``value`` stands for, or None: only a finite number from 0 up to
    ``MAX_RATE`` is a rate (settings are data: a text, a negative number, NaN or an
    object is no rate at all)."""
    if not isinstance(value, float) or not window.isFinite(value):
        return None
    if value < 0 or value > MAX_RATE:
        return None
    return value


def get_tag_info(tagz):
    """``{color, priority, targets, rate}`` of a tag or tag combination."""
    tagz = normalize_tagz(tagz)
    info = {"color": "", "priority": 1, "targets": {}, "rate": None}
    legacy_color = settings.get("color " + tagz)
    if isinstance(legacy_color, str):
        info.color = colors.valid_color(legacy_color, "")
    legacy_targets = settings.get("tag_targets")
    if isinstance(legacy_targets, dict):
        target = legacy_targets[tagz]
        if isinstance(target, dict) and target.period in PERIODS:
            legacy = {}
            legacy[target.period] = target.hours
            info.targets = _clean_targets(legacy)
    stored = settings.get("taginfo " + tagz)
    if isinstance(stored, dict):
        if isinstance(stored.color, str):
            info.color = colors.valid_color(stored.color, "")
        if stored.priority is not undefined and stored.priority is not None:
            info.priority = 2 if stored.priority == 2 else 1
        if stored.targets is not undefined and stored.targets is not None:
            info.targets = _clean_targets(stored.targets)
        info.rate = clean_rate(stored.rate)
    return info


def set_tag_info(tagz, info):
    """Store the info of a tag or combination (a synced setting). An info without a
    ``rate`` key keeps the stored rate; ``rate`` None removes it."""
    tagz = normalize_tagz(tagz)
    if not tagz:
        raise ValueError("set_tag_info: no tags given")
    info = info or {}
    color = colors.valid_color(info.color, "")
    if color.toUpperCase() == DEFAULT_COLOR:
        color = ""
    value = {
        "color": color,
        "priority": 2 if info.priority == 2 else 0,
        "targets": _clean_targets(info.targets),
    }
    key = "taginfo " + tagz
    if info.rate is undefined:
        stored = settings.peek(key)
        rate = clean_rate(stored.rate) if isinstance(stored, dict) else None
    else:
        rate = clean_rate(info.rate)
    if rate is not None:
        value.rate = rate
    is_empty = (
        not value.color
        and value.priority == 0
        and len(value.targets.keys()) == 0
        and rate is None
    )
    if is_empty and settings.get(key) is None:
        return  # nothing to say, and nothing stored to overwrite
    settings.set(key, value)


def get_tag_color(tag):
    """The CSS colour of a tag (or combination): its own, else the default accent.
    Always a colour (``colors.valid_color``), safe in a ``style`` attribute."""
    tagz = normalize_tagz(tag)
    stored = settings.peek("taginfo " + tagz)
    if stored and isinstance(stored.color, str):
        # An empty colour is an explicit reset to the default.
        return colors.valid_color(stored.color, DEFAULT_COLOR)
    legacy = settings.peek("color " + tagz)
    if isinstance(legacy, str):
        return colors.valid_color(legacy, DEFAULT_COLOR)
    return DEFAULT_COLOR


def get_tag_priority(tag):
    """1 for a primary tag (the default), 2 for a secondary one (TG-08)."""
    stored = settings.peek("taginfo " + normalize_tagz(tag))
    if stored and stored.priority == 2:
        return 2
    return 1


def get_tag_rate(tag):
    """The hourly rate of a tag (a number >= 0), or None when it has none."""
    stored = settings.peek("taginfo " + normalize_tagz(tag))
    if stored and isinstance(stored, dict):
        return clean_rate(stored.rate)
    return None
