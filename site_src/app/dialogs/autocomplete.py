"""Autocompletion of the record dialog's description (RC-11) and the lists of its
Recent / Tags / Presets buttons (RC-12).

Pure part (tested in node): the sources computed from records (every tag with the last
time it was used, recent tags ranked by recency, recent descriptions), finding the tag
being typed at the cursor, the suggestions for it (tags, ``##`` presets, or recent
descriptions for plain text), accepting a suggestion, toggling between tags and presets
with ``#``, and the button lists with their "match" entries.

``Sources`` keeps those lists per store and recomputes them after the store's records
change (quirk 16: tags first used in this session are suggested at once, not after a
reload). ``Autocomplete`` is the dropdown under the input (DOM only inside methods).
"""

from pscript import window

from ..core import dt, markup, taginfo, tags
from . import basedialog

LOOKBACK = 12 * 7 * 86400  # recent tags and descriptions: the last 12 weeks
TOGGLE_HINT = "type # to switch between tags and presets"


# %% Sources (pure)


def _tags_of(ds, memo):
    key = "d" + ds  # a prefix keeps names like "constructor" off the prototype
    hit = memo[key]
    if hit is undefined:
        hit = tags.get_tags(ds)
        memo[key] = hit
    return hit


def _is_hidden(r):
    return (r.ds or "").startswith("HIDDEN")


def collect_tag_times(records):
    """``{tag: last time used}`` over all records (the end time, or the start of a
    running record)."""
    memo = {}
    res = {}
    for r in records:
        if _is_hidden(r):
            continue
        t = max(r.t1, r.t2)
        for tag in _tags_of(r.ds or "", memo):
            if res[tag] is undefined or t > res[tag]:
                res[tag] = t
    return res


def recent_tags(records, now):
    """``[[tag, last_used]]`` of records that started in the last 12 weeks, most
    relevant first: each record adds 1 / (now - start) to its tags' score."""
    memo = {}
    scores = {}
    last = {}
    for r in records:
        if _is_hidden(r) or r.t1 < now - LOOKBACK:
            continue
        age = max(1, now - r.t1)
        t = max(r.t1, r.t2)
        for tag in _tags_of(r.ds or "", memo):
            scores[tag] = (scores[tag] or 0) + 1 / age
            if last[tag] is undefined or t > last[tag]:
                last[tag] = t
    names = Object.keys(scores)
    names.sort(key=lambda tag: -scores[tag])
    return [[tag, last[tag]] for tag in names]


def recent_descriptions(records, now):
    """``[[ds, last_used]]``: the distinct non-empty descriptions of the last 12
    weeks, most recently used first."""
    best = {}
    for r in records:
        ds = (r.ds or "").strip()
        if not ds or _is_hidden(r) or r.t1 < now - LOOKBACK:
            continue
        t = max(r.t1, r.t2)
        key = "d" + ds
        if best[key] is undefined or t > best[key]:
            best[key] = t
    keys = Object.keys(best)
    keys.sort(key=lambda k: -best[k])
    return [[k[1:], best[k]] for k in keys]


def clean_presets(presets):
    """The non-empty presets as strings."""
    res = []
    for p in presets or []:
        p = str(p or "").strip()
        if p:
            res.append(p)
    return res


def when_text(t, now):
    """``"today"``, ``"yesterday"`` or ``"N days ago"`` for a time."""
    days = Math.round((dt.day_start(now) - dt.day_start(t)) / 86400)
    if days <= 0:
        return "today"
    elif days == 1:
        return "yesterday"
    return str(days) + " days ago"


# %% Suggestions (pure)


def find_word(text, cursor):
    """The tag being typed at ``cursor``: ``{kind, start, end, word}``. ``kind`` is
    ``"tag"`` (``#xx``), ``"preset"`` (``##xx``) or ``""`` (no tag there).
    ``start`` is at the first ``#`` of the run, ``end`` after the tag characters
    that follow; ``word`` is the tag typed so far (``"#"`` when nothing yet)."""
    text = text or ""
    i = cursor
    while i > 0 and tags.is_tag_char(text[i - 1]):
        i -= 1
    if i == 0 or text[i - 1] != "#":
        return {"kind": "", "start": cursor, "end": cursor, "word": ""}
    hash_pos = i - 1
    start = hash_pos
    while start > 0 and text[start - 1] == "#":
        start -= 1
    end = cursor
    while end < len(text) and tags.is_tag_char(text[end]):
        end += 1
    kind = "preset" if hash_pos > start else "tag"
    return {
        "kind": kind,
        "start": start,
        "end": end,
        "word": text[hash_pos:cursor].lower(),
    }


def _item(kind, value, note, hl_start=-1, hl_end=-1):
    return {"type": kind, "value": value, "note": note, "hl": [hl_start, hl_end]}


def _suggest_tags(word, sources, now):
    tag_times = sources.tag_times or {}
    if word == "#":
        items = []
        for pair in sources.recent_tags or []:
            items.append(_item("tag", pair[0], "last used " + when_text(pair[1], now)))
        header = "Recent tags" if len(items) > 0 else "No recent tags"
        return {"header": header, "items": items}
    names = Object.keys(tag_times)
    names.sort(key=lambda tag: -tag_times[tag])
    prefix = []
    contains = []
    needle = word[1:]
    for tag in names:
        note = "last used " + when_text(tag_times[tag], now)
        if tag.startswith(word):
            prefix.append(_item("tag", tag, note, 0, len(word)))
        elif len(needle) >= 2:
            i = tag.indexOf(needle, 1)
            if i >= 0:
                contains.append(_item("tag", tag, note, i, i + len(needle)))
    items = prefix.concat(contains)
    header = "Matching tags" if len(items) > 0 else "No matching tags"
    return {"header": header, "items": items}


def _suggest_presets(word, sources):
    presets = clean_presets(sources.presets)
    items = []
    if word == "#":
        for p in presets:
            items.append(_item("preset", p, "preset"))
        header = (
            "Presets"
            if len(items) > 0
            else "No presets yet (add them with the pencil button)"
        )
        return {"header": header + " - " + TOGGLE_HINT, "items": items}
    first = []
    later = []
    needle = word[1:]
    for p in presets:
        low = p.toLowerCase()
        hit = -1
        for tag in tags.get_tags(p):
            if tag.startswith(word):
                hit = low.indexOf(tag)
                break
        if hit >= 0:
            first.append(_item("preset", p, "preset", hit, hit + len(word)))
        elif len(needle) >= 2:
            i = low.indexOf(needle)
            if i >= 0:
                later.append(_item("preset", p, "preset", i, i + len(needle)))
    items = first.concat(later)
    header = "Matching presets" if len(items) > 0 else "No matching presets"
    return {"header": header + " - " + TOGGLE_HINT, "items": items}


def _suggest_descriptions(text, sources):
    needle = text.strip().toLowerCase()
    items = []
    for pair in sources.descriptions or []:
        ds = pair[0]
        i = ds.toLowerCase().indexOf(needle)
        if i >= 0 and ds != text.strip():
            items.append(_item("description", ds, "", i, i + len(needle)))
    return {"header": "Recent descriptions" if len(items) > 0 else "", "items": items}


def suggest(text, cursor, sources, now):
    """What the dropdown shows for the text and cursor: ``{kind, start, end, header,
    items}``; ``header`` is empty when there is nothing to show. Items are
    ``{type, value, note, hl: [start, end]}`` (``hl``: the matched part)."""
    text = text or ""
    w = find_word(text, cursor)
    res = None
    if w.kind == "tag":
        res = _suggest_tags(w.word, sources, now)
    elif w.kind == "preset":
        res = _suggest_presets(w.word, sources)
    elif text.indexOf("#") < 0 and len(text.strip()) >= 2:
        res = _suggest_descriptions(text, sources)
        w = {"kind": "description", "start": 0, "end": len(text), "word": text}
    else:
        res = {"header": "", "items": []}
    return {
        "kind": w.kind,
        "start": w.start,
        "end": w.end,
        "header": res.header,
        "items": res["items"],
    }


def accept(text, start, end, item):
    """``[new_text, cursor]`` after accepting a suggestion. A tag or preset replaces
    the word from ``start`` to ``end`` (stray ``#`` included), followed by a space;
    a description replaces the whole text."""
    if item.type == "description":
        return [item.value, len(item.value)]
    before = text[:start]
    after = text[end:]
    if before and not before.endswith(" "):
        before += " "
    if not after.startswith(" "):
        after = " " + after
    return [before + item.value + after, len(before) + len(item.value) + 1]


def insert_at(text, cursor, value):
    """``[new_text, cursor]`` with ``value`` inserted at the cursor as its own word."""
    before = text[:cursor]
    after = text[cursor:]
    if before and not before.endswith(" "):
        before += " "
    if not after.startswith(" "):
        after = " " + after
    return [before + value + after, len(before) + len(value) + 1]


def toggle_hash(text, cursor):
    """``[new_text, cursor]`` after ``#`` in a tag being typed: ``#xx`` becomes
    ``##xx`` (presets) and back. ``None`` when no tag is being typed."""
    w = find_word(text, cursor)
    if w.kind == "tag":
        return [text[: w.start] + "#" + text[w.start :], cursor + 1]
    elif w.kind == "preset":
        return [text[: w.start] + text[w.start + 1 :], cursor - 1]
    return None


def single_part(text):
    """The text to match for the buttons' "match" entries: the description when it
    is a single run of plain text or a single tag (lower-cased, without ``#``),
    else ``""``."""
    parts = tags.split_description(text or "")[1]
    if len(parts) != 1:
        return ""
    part = parts[0].strip().toLowerCase()
    while part.startswith("#"):
        part = part[1:]
    return part


def button_list(kind, text, sources, now):
    """The list of a Recent (``"recent"``), Tags (``"tags"``) or Presets
    (``"presets"``) button (RC-12): ``{header, items}``. Items whose ``replace`` is
    true replace the whole description when picked ("match" entries and recent
    descriptions); others are inserted at the cursor."""
    needle = single_part(text)
    matches = []
    rest = []
    seen = {}
    if kind == "recent":
        for pair in sources.descriptions or []:
            item = _item("description", pair[0], "recent: " + when_text(pair[1], now))
            item.replace = True
            i = pair[0].toLowerCase().indexOf(needle) if needle else -1
            if i >= 0:
                item.note = "match"
                item.hl = [i, i + len(needle)]
                matches.append(item)
            else:
                rest.append(item)
        header = "Recent descriptions"
    elif kind == "tags":
        if needle:
            tag_times = sources.tag_times or {}
            names = Object.keys(tag_times)
            names.sort(key=lambda tag: -tag_times[tag])
            for tag in names:
                i = tag.indexOf(needle, 1)
                if i >= 0:
                    item = _item("tag", tag, "match", i, i + len(needle))
                    item.replace = True
                    matches.append(item)
                    seen[tag] = True
        for pair in sources.recent_tags or []:
            if not seen[pair[0]]:
                item = _item("tag", pair[0], "recent: " + when_text(pair[1], now))
                item.replace = False
                rest.append(item)
        header = "Recent tags"
    else:
        for p in clean_presets(sources.presets):
            i = p.toLowerCase().indexOf(needle) if needle else -1
            item = _item("preset", p, "preset")
            item.replace = i >= 0
            if i >= 0:
                item.note = "match"
                item.hl = [i, i + len(needle)]
                matches.append(item)
            else:
                rest.append(item)
        header = "Presets"
    items = matches.concat(rest)
    if len(items) == 0:
        header = {
            "recent": "No recent descriptions",
            "tags": "No recent tags",
            "presets": "No presets yet: add them with the pencil button",
        }[kind]
    return {"header": header, "items": items}


# %% Sources per store, recomputed after changes (quirk 16)


class Sources:
    """The autocompletion sources of a store; ``get()`` recomputes them when the
    store's records changed since the last time."""

    def __init__(self, store):
        self._store = store
        self._dirty = True
        self._cache = None
        self._presets_fn = None
        if store and store.on_change:
            store.on_change(self._on_store_change)

    def _on_store_change(self, what):
        if what == "records" or what is undefined:
            self._dirty = True

    def get(self, presets):
        now = dt.now()
        if self._dirty or self._cache is None:
            records = self._store.records
            every = records.get_all_records()
            recent = records.get_records(now - LOOKBACK, now + 86400)
            self._cache = {
                "tag_times": collect_tag_times(every),
                "recent_tags": recent_tags(recent, now),
                "descriptions": recent_descriptions(recent, now),
            }
            self._dirty = False
        return {
            "tag_times": self._cache.tag_times,
            "recent_tags": self._cache.recent_tags,
            "descriptions": self._cache.descriptions,
            "presets": presets or [],
        }


_sources_per_store = []


def sources_for(store):
    """The ``Sources`` of a store (one per store and page)."""
    for pair in _sources_per_store:
        if pair[0] is store:
            return pair[1]
    src = Sources(store)
    _sources_per_store.append([store, src])
    return src


# %% The dropdown


def item_html(item):
    """A suggestion as HTML: tags with coloured ``#``, the matched part in bold."""
    value = item.value
    hl = item.hl or [-1, -1]
    html = ""
    i = 0
    n = len(value)
    while i < n:
        c = value[i]
        piece = markup.escape(c)
        if c == "#" and i + 1 < n and tags.is_tag_char(value[i + 1]):
            j = i + 1
            while j < n and tags.is_tag_char(value[j]):
                j += 1
            piece = (
                '<b class="tt-hash" style="color:'
                + markup.escape(taginfo.get_tag_color(value[i:j]))
                + '">#</b>'
            )
        if i == hl[0] and hl[1] > hl[0]:
            html += "<strong>"
        html += piece
        if i == hl[1] - 1 and hl[1] > hl[0]:
            html += "</strong>"
        i += 1
    note = ""
    if item.note:
        note = '<span class="tt-ac-note">' + markup.escape(item.note) + "</span>"
    return '<span class="tt-ac-value">' + html + "</span>" + note


_ac_ids = {"n": 0}


class Autocomplete:
    """The dropdown under a text input.

    ``Autocomplete(input, get_sources, on_accept)``: ``get_sources()`` gives the
    sources dict; ``on_accept()`` is called after the input's text changed by a
    suggestion. ``update()`` refreshes from the text and cursor; ``show_list(kind)``
    shows a button's list; ``hide()``; ``is_visible()``. Keys: arrows move, Enter and
    Tab accept, Escape closes, ``#`` toggles tags/presets.
    """

    def __init__(self, input, get_sources, on_accept=None, root=None):
        self._input = input
        self._get_sources = get_sources
        self._on_accept = on_accept
        self._items = []
        self._active = -1
        self._ctx = None  # {mode: "typing"|"list", start, end}
        _ac_ids.n += 1
        self._id = "tt-ac" + str(_ac_ids.n)
        node = markup.el("div", "tt-ac")
        node.id = self._id
        node.setAttribute("role", "listbox")
        node.hidden = True
        input.parentNode.insertBefore(node, input.nextSibling)
        self._node = node
        input.setAttribute("role", "combobox")
        input.setAttribute("aria-autocomplete", "list")
        input.setAttribute("aria-expanded", "false")
        input.setAttribute("aria-controls", self._id)
        input.addEventListener("keydown", self._on_key, False)
        input.addEventListener("keyup", self._on_keyup, False)
        input.addEventListener("click", self._on_cursor_move, False)
        input.addEventListener("blur", self._on_blur, False)
        node.addEventListener("mousedown", lambda e: e.preventDefault(), False)
        node.addEventListener("click", self._on_click, False)
        if root:
            root.addEventListener("pointerdown", self._on_root_pointerdown, False)

    def is_visible(self):
        return not self._node.hidden

    def hide(self):
        self._node.hidden = True
        self._items = []
        self._active = -1
        self._ctx = None
        self._input.setAttribute("aria-expanded", "false")
        self._input.removeAttribute("aria-activedescendant")

    def update(self):
        """Refresh the suggestions for the text and cursor of the input."""
        text = self._input.value
        cursor = self._input.selectionStart
        if cursor is None:
            cursor = len(text)
        res = suggest(text, cursor, self._get_sources(), dt.now())
        if not res.header:
            self.hide()
            return
        # Tags and presets: the first suggestion is ready for Enter. Recent
        # descriptions: only after an arrow key, so Enter still submits.
        active = 0 if res.kind != "description" and len(res["items"]) > 0 else -1
        self._show(
            res.header,
            res["items"],
            active,
            {"mode": "typing", "start": res.start, "end": res.end},
        )

    def show_list(self, kind):
        """Show the list of a Recent / Tags / Presets button (RC-12)."""
        res = button_list(kind, self._input.value, self._get_sources(), dt.now())
        self._show(res.header, res["items"], -1, {"mode": "list"})

    def _show(self, header, items, active, ctx):
        self._items = items
        self._active = active
        self._ctx = ctx
        html = '<div class="tt-ac-header">' + markup.escape(header) + "</div>"
        for i in range(len(items)):
            html += (
                '<div class="tt-ac-item'
                + (" tt-active" if i == active else "")
                + '" role="option" id="'
                + self._id
                + "-"
                + str(i)
                + '" data-i="'
                + str(i)
                + '" aria-selected="'
                + ("true" if i == active else "false")
                + '">'
                + item_html(items[i])
                + "</div>"
            )
        self._node.innerHTML = html
        self._node.hidden = False
        self._node.scrollTop = 0
        self._input.setAttribute("aria-expanded", "true")
        self._mark_active()

    def _mark_active(self):
        for el in window.Array.prototype.slice.call(
            self._node.querySelectorAll(".tt-ac-item")
        ):
            on = int(el.dataset.i) == self._active
            el.classList.toggle("tt-active", on)
            el.setAttribute("aria-selected", "true" if on else "false")
            if on:
                el.scrollIntoView({"block": "nearest"})
        if self._active >= 0:
            self._input.setAttribute(
                "aria-activedescendant", self._id + "-" + str(self._active)
            )
        else:
            self._input.removeAttribute("aria-activedescendant")

    def _on_key(self, e):
        if e.isComposing or e.keyCode == 229:
            return  # IME composition
        if e.key == "#" and not e.ctrlKey and not e.metaKey and not e.altKey:
            if self.is_visible() and self._ctx and self._ctx.mode == "typing":
                res = toggle_hash(self._input.value, self._input.selectionStart)
                if res is not None:
                    e.preventDefault()
                    self._set_text(res[0], res[1])
                    self.update()
            return
        if not self.is_visible():
            return
        n = len(self._items)
        if e.key == "ArrowDown" or e.key == "Down":
            e.preventDefault()
            if n > 0:
                self._active = (self._active + 1) % n
                self._mark_active()
        elif e.key == "ArrowUp" or e.key == "Up":
            e.preventDefault()
            if n > 0:
                self._active = n - 1 if self._active <= 0 else self._active - 1
                self._mark_active()
        elif e.key == "Enter" or e.key == "Tab":
            if e.key == "Enter" and self._typed_is_active():
                self.hide()  # the tag is complete: Enter submits the dialog
                return
            if self._active >= 0 and self._active < n:
                e.preventDefault()
                e.stopPropagation()
                self.accept(self._active)
            elif e.key == "Tab":
                self.hide()
        elif e.key == "Escape" or e.key == "Esc":
            e.preventDefault()  # the dialog stays open
            self.hide()

    def _on_keyup(self, e):
        if e.key in ["ArrowLeft", "ArrowRight", "Home", "End", "Left", "Right"]:
            self._on_cursor_move(e)

    def _on_cursor_move(self, e):
        """The cursor moved: follow it when a list shows or a tag is under it."""
        if self._ctx and self._ctx.mode == "list":
            return
        cursor = self._input.selectionStart
        if cursor is None:
            return
        if self.is_visible() or find_word(self._input.value, cursor).kind:
            self.update()

    def _typed_is_active(self):
        """Whether the tag being typed already is the highlighted suggestion."""
        ctx = self._ctx
        if not ctx or ctx.mode != "typing" or self._active < 0:
            return False
        item = self._items[self._active]
        typed = self._input.value[ctx.start : ctx.end].toLowerCase()
        return item.type == "tag" and typed == item.value

    def _on_click(self, e):
        el = e.target.closest(".tt-ac-item")
        if el:
            self.accept(int(el.dataset.i))

    def _on_blur(self, e):
        if self._ctx and self._ctx.mode == "typing":
            self.hide()

    def _on_root_pointerdown(self, e):
        if not self.is_visible():
            return
        if self._node.contains(e.target) or e.target is self._input:
            return
        self.hide()

    def accept(self, index):
        """Accept suggestion ``index``."""
        item = self._items[index]
        ctx = self._ctx
        if not item or not ctx:
            return
        text = self._input.value
        if ctx.mode == "typing":
            res = accept(text, ctx.start, ctx.end, item)
        elif item.replace or item.type == "description":
            res = [item.value + ("" if item.type == "description" else " "), 0]
            res[1] = len(res[0])
        else:
            cursor = self._input.selectionStart
            if cursor is None or window.document.activeElement is not self._input:
                cursor = len(text)
            res = insert_at(text, cursor, item.value)
        self.hide()
        self._set_text(res[0], res[1])

    def _set_text(self, text, cursor):
        self._input.value = text
        if basedialog.is_desktop():
            self._input.focus()
        try:
            self._input.setSelectionRange(cursor, cursor)
        except Exception:
            pass
        if self._on_accept:
            self._on_accept()
