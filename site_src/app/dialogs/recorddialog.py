"""The record dialog: start, create, edit and stop records (RC-07 ... RC-17).

``RecordDialog(app).open(mode, record, callback=None)`` with mode ``"start"``,
``"new"``, ``"edit"`` or ``"stop"``. The dialog works on a copy of the record: the
description field (RC-10) with autocompletion and the Recent / Tags / Presets buttons
(RC-11, RC-12, module ``autocomplete``), the pencil button opening the tag presets
editor (TG-10), the time editor (RC-14, module ``timeeditor``), and Cancel / Delete
(with a confirm step, RC-17) / Resume (RC-16) / submit (RC-15). Time edits that stop
or restart the record switch the mode (RC-09).

Decisions: descriptions are capped at 255 characters (quirk 2: the server refuses 256);
a click on the backdrop or the browser's Back button does not throw away changes the
user made: the dialog asks first (quirk 17). Escape, the close button and Cancel still
close at once.

The pure helpers (titles, placeholders, buttons per mode, the length cap, hints, the
final description, stopping the other timers) are tested in node.
"""

from pscript import window

from ..core import dt, icons, markup, settings, tags
from . import autocomplete, basedialog, overlapnote, presetsdialog, timeeditor

MAX_CHARS = 255  # quirk 2: the server accepts descriptions shorter than 256
RESUME_LOOKBACK = 7 * 86400  # RC-03


# %% Pure helpers


def dialog_title(mode, running):
    if mode == "start":
        return "Start record"
    elif mode == "new":
        return "New record"
    elif mode == "stop":
        return "Stop record"
    return "Edit running record" if running else "Edit record"


def placeholder(mode, running):
    """The description's placeholder: a short question per mode (RC-07)."""
    if mode == "start":
        return "What are you going to do?"
    elif mode == "new":
        return "What have you done?"
    elif mode == "stop":
        return "What did you just do?"
    return "What are you doing?" if running else "What has been done?"


def submit_button(mode):
    """``[label, icon]`` of the submit button."""
    if mode == "start":
        return ["Start", "play"]
    elif mode == "new":
        return ["Create", "plus"]
    elif mode == "stop":
        return ["Save", "stop"]
    return ["Save", "pencil"]


def title_icon(mode):
    return {"start": "play", "new": "plus", "stop": "stop"}[mode] or "pencil"


def visible_buttons(mode, running):
    """``{delete, resume}``: Delete when editing or stopping a stored record,
    Resume when editing a finished one."""
    return {
        "delete": mode == "edit" or mode == "stop",
        "resume": mode == "edit" and not running,
    }


def cap_description(text):
    """``[text, was_cut]``: at most 255 characters (quirk 2)."""
    text = text or ""
    if len(text) > MAX_CHARS:
        return [text[:MAX_CHARS], True]
    return [text, False]


def final_description(text):
    """The description as stored: normalised (DM0-4, TG-02) and trimmed."""
    return tags.normalize_description(text or "").strip()


def duplicate_tags(text):
    """Tags that appear more than once (case-insensitive), in order of appearance."""
    seen = {}
    dups = []
    parts = tags.split_description(text or "")[1]
    for part in parts:
        if part.startswith("#"):
            if seen[part] and dups.indexOf(part) < 0:
                dups.append(part)
            seen[part] = True
    return dups


def find_links(text):
    """Words starting with ``http://`` or ``https://``, surrounding quotes removed."""
    links = []
    for word in (text or "").split(" "):
        word = word.strip()
        while len(word) > 0 and "\"'`<([".indexOf(word[0]) >= 0:
            word = word[1:]
        while len(word) > 0 and "\"'`>)],.;".indexOf(word[-1]) >= 0:
            word = word[:-1]
        low = word.toLowerCase()
        if (low.startswith("http://") or low.startswith("https://")) and len(word) > 8:
            if links.indexOf(word) < 0:
                links.append(word)
    return links


def description_hints(text, has_recent_tags):
    """``{example, duplicates, links}`` for the hint area (RC-10): ``example`` when
    the user has no recent tags and typed none."""
    return {
        "example": not has_recent_tags and len(tags.get_tags(text or "")) == 0,
        "duplicates": duplicate_tags(text),
        "links": find_links(text),
    }


def stop_others(running_records, key, t):
    """Copies of the other running records stopped at ``t`` (RC-15: one timer at a
    time): ``t2 = max(t1 + 2, t)``."""
    res = []
    for r in running_records:
        if r.key == key or r.t1 != r.t2:
            continue
        c = window.Object.assign({}, r)
        c.t2 = max(r.t1 + 2, t)
        res.append(c)
    return res


def resume_description(running_records, recent_records, now):
    """The description to resume (RC-03): the running record's, else that of the
    record that ended last within the last 7 days; ``None`` when there is none."""
    if len(running_records) > 0:
        best = running_records[0]
        for r in running_records:
            if r.t1 > best.t1:
                best = r
        return best.ds or ""
    best = None
    for r in recent_records:
        if r.t1 == r.t2 or r.t2 < now - RESUME_LOOKBACK or r.t2 > now:
            continue
        if best is None or r.t2 > best.t2:
            best = r
    if best is None:
        return None
    return best.ds or ""


def has_changes(orig, ds, t1, t2):
    """Whether the dialog's values differ from the record as opened."""
    return (
        final_description(ds) != final_description(orig.ds)
        or t1 != orig.t1
        or t2 != orig.t2
    )


# %% The dialog


def _copy(record):
    return window.Object.assign({}, record)


def _call(obj, name, arg=None):
    """Call an optional hook of the app (e.g. ``actions.record_started``)."""
    if obj and obj[name]:
        obj[name](arg)
        return True
    return False


BaseDialog = basedialog.BaseDialog  # PScript needs a plain name (no dots, no _) as base


class RecordDialog(BaseDialog):
    """See the module docstring."""

    css_class = "tt-record-dialog"

    def open(self, mode, record, callback=None):
        self._mode = mode
        self._orig = _copy(record)
        self._record = _copy(record)
        self._edited = False
        self._store = self._app.store
        running = record.t1 == record.t2
        self._build_frame(dialog_title(mode, running), title_icon(mode))
        self._create_dom()
        self._editor = timeeditor.TimeEditor(
            self.body.querySelector(".tt-time"), self._on_time_change
        )
        self._editor.open(mode, record.t1, record.t2, self._other_records)
        self._overlap = overlapnote.OverlapNote(
            self._app, self.body.querySelector(".tt-overlap-note"), self._fix_own_end
        )
        self._update_overlaps()
        self._sources = autocomplete.sources_for(self._store)
        self._ac = autocomplete.Autocomplete(
            self._desc, self._get_sources, self._on_desc_accept, self.node
        )
        self._desc.value = record.ds or ""
        self._update_mode()
        self._refresh_desc_info()
        self._show(callback)
        return self

    def _create_dom(self):
        q = markup.escape
        ic = icons.icon
        uid = "tt-desc-" + str(window.Math.floor(window.Math.random() * 1e9))
        self.body.innerHTML = (
            '<div class="tt-field tt-desc-field">'
            + '<div class="tt-label-row"><label class="tt-label" for="'
            + uid
            + '">Description</label><span class="tt-max-note" aria-live="polite"></span></div>'
            + '<div class="tt-ac-wrap"><input type="text" class="tt-desc" id="'
            + uid
            + '" spellcheck="true" autocomplete="off" autocapitalize="sentences"'
            + ' enterkeyhint="done" data-autofocus></div>'
            + '<div class="tt-desc-tools">'
            + '<div class="tt-tagline"></div>'
            + '<div class="tt-quick" role="group" aria-label="Insert">'
            + '<button type="button" class="tt-small" data-list="recent" aria-haspopup="listbox">Recent'
            + ic("chevron")
            + "</button>"
            + '<button type="button" class="tt-small" data-list="tags" aria-haspopup="listbox">Tags'
            + ic("chevron")
            + "</button>"
            + '<button type="button" class="tt-small" data-list="presets" aria-haspopup="listbox">Presets'
            + ic("chevron")
            + "</button>"
            + '<button type="button" class="tt-small tt-edit-presets" aria-label="Edit tag presets"'
            + ' title="Edit tag presets">'
            + ic("pencil")
            + "</button>"
            + "</div></div>"
            + '<div class="tt-hints"></div>'
            + "</div>"
            + '<div class="tt-field tt-time-field"><div class="tt-label">Time</div>'
            + '<div class="tt-time"></div></div>'
            + '<div class="tt-overlap-note" role="status" hidden></div>'
            + '<p class="tt-readonly-note" hidden>'
            + ic("info")
            + q("This account is read-only: changes cannot be saved.")
            + "</p>"
        )
        self.footer.innerHTML = (
            '<div class="tt-discard-bar" hidden role="alert"><span>Discard your changes?</span>'
            + '<button type="button" class="tt-btn tt-keep">Keep editing</button>'
            + '<button type="button" class="tt-btn tt-danger tt-discard">Discard</button></div>'
            + '<div class="tt-buttons">'
            + '<button type="button" class="tt-btn tt-delete" aria-label="Delete">'
            + ic("trash")
            + "<span>Delete</span></button>"
            + '<button type="button" class="tt-btn tt-resume" aria-label="Resume"'
            + ' title="Start a new record with this description">'
            + ic("resume")
            + "<span>Resume</span></button>"
            + '<button type="button" class="tt-btn tt-cancel">Cancel</button>'
            + '<button type="button" class="tt-btn tt-primary tt-submit"></button>'
            + "</div>"
            + '<div class="tt-confirm-delete" hidden>'
            + '<button type="button" class="tt-btn tt-danger tt-confirm">'
            + ic("trash")
            + "<span>Confirm deleting this record</span></button></div>"
        )
        b = self.body
        f = self.footer
        self._desc = b.querySelector(".tt-desc")
        self._max_note = b.querySelector(".tt-max-note")
        self._tagline = b.querySelector(".tt-tagline")
        self._hints = b.querySelector(".tt-hints")
        self._submit_btn = f.querySelector(".tt-submit")
        self._delete_btn = f.querySelector(".tt-delete")
        self._resume_btn = f.querySelector(".tt-resume")
        self._confirm_row = f.querySelector(".tt-confirm-delete")
        self._discard_bar = f.querySelector(".tt-discard-bar")
        self._desc.addEventListener("input", self._on_desc_input, False)
        self._desc.addEventListener("blur", self._on_desc_blur, False)
        for btn in markup.query_all(b, "[data-list]"):
            btn.addEventListener("click", self._on_list_button, False)
        b.querySelector(".tt-edit-presets").onclick = self._open_presets
        f.querySelector(".tt-cancel").onclick = lambda e: self.close()
        self._delete_btn.onclick = self._on_delete
        f.querySelector(".tt-confirm").onclick = self._on_confirm_delete
        self._resume_btn.onclick = self._on_resume
        self._submit_btn.onclick = lambda e: self.submit()
        f.querySelector(".tt-keep").onclick = self._on_keep_editing
        f.querySelector(".tt-discard").onclick = lambda e: self.close()
        if self._store and self._store.is_read_only:
            b.querySelector(".tt-readonly-note").hidden = False

    # -- sources and description

    def _get_sources(self):
        presets = settings.get("tag_presets")
        return self._sources.get(presets)

    def _other_records(self):
        now = dt.now()
        res = []
        for r in self._store.records.get_records(now - 9 * 3600, now + 60):
            if r.key != self._record.key:
                res.append(r)
        return res

    def _on_desc_input(self, e):
        res = cap_description(self._desc.value)
        if res[1]:
            cursor = self._desc.selectionStart
            self._desc.value = res[0]
            self._desc.setSelectionRange(min(cursor, MAX_CHARS), min(cursor, MAX_CHARS))
            self._flash_max()
        elif len(res[0]) < MAX_CHARS:
            self._max_note.textContent = ""
        if len(res[0]) >= MAX_CHARS:
            self._max_note.textContent = "(max " + str(MAX_CHARS) + " chars)"
        self._mark_edited()
        self._ac.update()
        self._refresh_desc_info()

    def _flash_max(self):
        self._max_note.textContent = "(max " + str(MAX_CHARS) + " chars)"
        self._desc.classList.add("tt-flash-limit")
        window.setTimeout(lambda: self._desc.classList.remove("tt-flash-limit"), 2000)

    def _on_desc_blur(self, e):
        value = self._desc.value
        normal = final_description(value)
        if normal != value:
            self._desc.value = normal
            self._refresh_desc_info()

    def _on_desc_accept(self):
        self._mark_edited()
        self._refresh_desc_info()
        self._ac.update()

    def _on_list_button(self, e):
        kind = e.currentTarget.dataset.list
        self._ac.show_list(kind)
        if basedialog.is_desktop():
            self._desc.focus()

    def _open_presets(self, e):
        presetsdialog.PresetsDialog(self._app).open()

    def _refresh_desc_info(self):
        text = self._desc.value
        found = tags.get_tags(text)
        html = '<span class="tt-tagline-label">Tags:</span> '
        if len(found) == 0:
            html += (
                '<span class="tt-muted">' + markup.tag_html(tags.UNTAGGED) + "</span>"
            )
        else:
            html += " ".join([markup.tag_html(t) for t in found])
        self._tagline.innerHTML = html
        has_recent = len(self._get_sources().recent_tags) > 0
        hints = description_hints(text, has_recent)
        out = ""
        if hints.example:
            out += (
                "<div>Tip: add tags to group your records, e.g. "
                + "<i>design review "
                + markup.tag_html("#client1")
                + " "
                + markup.tag_html("#meeting")
                + "</i></div>"
            )
        if len(hints.duplicates) > 0:
            out += (
                '<div class="tt-warning">Duplicate tags: '
                + " ".join([markup.tag_html(t) for t in hints.duplicates])
                + "</div>"
            )
        if len(hints.links) > 0:
            links = []
            for url in hints.links:
                links.append(
                    '<a href="'
                    + markup.escape(url)
                    + '" target="_blank" rel="noopener noreferrer">'
                    + markup.escape(url)
                    + "</a>"
                )
            out += "<div>Links: " + ", ".join(links) + "</div>"
        self._hints.innerHTML = out

    # -- times and mode

    def _on_time_change(self, t1, t2):
        was_running = self._record.t1 == self._record.t2
        self._record.t1 = t1
        self._record.t2 = t2
        self._mode = timeeditor.mode_after_change(self._mode, was_running, t1 == t2)
        self._mark_edited()
        self._update_mode()
        self._update_overlaps()

    def _update_overlaps(self):
        # Starting a record stops the running ones: no overlap worth telling there.
        if self._mode != "start":
            self._overlap.update(self._record)

    def _fix_own_end(self, t1, t2):
        """The overlap fix for this record: it ends where the later one begins."""
        self._editor.set_times(t1, t2)
        self._on_time_change(t1, t2)

    def _mark_edited(self):
        if not self._edited:
            self._edited = True
            self._update_mode()
        self._hide_discard_bar()

    def _update_mode(self):
        mode = self._mode
        running = self._record.t1 == self._record.t2
        self.set_title(dialog_title(mode, running))
        self._desc.placeholder = placeholder(mode, running)
        label = submit_button(mode)
        self._submit_btn.innerHTML = (
            icons.icon(label[1]) + "<span>" + label[0] + "</span>"
        )
        visible = visible_buttons(mode, running)
        self._delete_btn.hidden = not visible.delete
        self._resume_btn.hidden = not visible.resume
        if not visible.delete:
            self._confirm_row.hidden = True
        read_only = bool(self._store and self._store.is_read_only)
        self._submit_btn.disabled = read_only or (mode == "edit" and not self._edited)
        self._delete_btn.disabled = read_only
        self._resume_btn.disabled = read_only
        header_icon = self.node.querySelector(".tt-title-icon")
        if header_icon:
            header_icon.outerHTML = icons.icon(title_icon(mode), "tt-title-icon")

    # -- closing, discarding (quirk 17)

    def _is_dirty(self):
        if not self._edited:
            return False
        return has_changes(
            self._orig, self._desc.value, self._record.t1, self._record.t2
        )

    def soft_close(self, reason):
        if not self._is_dirty():
            self.close()
            return
        self._discard_bar.hidden = False
        self.node.classList.remove("tt-shake")
        self.node.offsetWidth  # restart the animation
        self.node.classList.add("tt-shake")
        self._discard_bar.querySelector(".tt-keep").focus()

    def _hide_discard_bar(self):
        if self._discard_bar and not self._discard_bar.hidden:
            self._discard_bar.hidden = True

    def _on_keep_editing(self, e):
        self._hide_discard_bar()
        if basedialog.is_desktop():
            self._desc.focus()
        else:
            self.node.focus()

    def _on_close(self):
        if self._editor:
            self._editor.close()

    def _on_reshow(self):
        self._refresh_desc_info()
        if basedialog.is_desktop():
            self._desc.focus()
        else:
            self.node.focus()

    # -- keys and actions

    def _on_key(self, e):
        if e.key != "Enter" or e.isComposing or e.keyCode == 229 or e.defaultPrevented:
            return
        target = e.target
        tag = (target.tagName or "").toLowerCase() if target else ""
        if tag == "button" or tag == "a" or tag == "textarea" or tag == "select":
            return  # Enter activates the focused button or link
        if e.ctrlKey or e.metaKey or e.altKey or e.shiftKey:
            return
        e.preventDefault()
        self.submit()

    def _can_write(self):
        return not (self._store and self._store.is_read_only)

    def submit(self):
        """Save the record (RC-15) and close."""
        if not self._can_write():
            return
        self._editor.commit()
        if self._mode == "edit" and not self._edited:
            self.close()
            return
        record = self._record
        ds = final_description(self._desc.value)
        if ds:
            record.ds = ds
        else:
            del record["ds"]
        records = self._store.records
        if record.t1 == record.t2:
            for other in stop_others(
                records.get_running_records(), record.key, record.t1
            ):
                records.put(other)
        records.put(record)
        mode = self._mode
        self.close(record)
        actions = self._app.actions
        if mode == "start" or (
            record.t1 == record.t2 and self._orig.t1 != self._orig.t2
        ):
            _call(actions, "record_started", record)
        elif mode == "stop":
            _call(actions, "record_stopped", record)
        _call(self._app, "request_redraw")

    def _on_delete(self, e):
        self._confirm_row.hidden = False
        btn = self._confirm_row.querySelector("button")
        btn.focus()
        btn.scrollIntoView({"block": "nearest"})

    def _on_confirm_delete(self, e):
        """RC-17: the record as stored gets ``HIDDEN`` in front of its description."""
        if not self._can_write():
            return
        records = self._store.records
        stored = records.get_by_key(self._orig.key)
        if stored:
            records.mark_as_deleted(stored)
            records.put(stored)
        self.close(stored)
        _call(self._app, "request_redraw")

    def _on_resume(self, e):
        """RC-16: stop what runs, start a new record now with this description."""
        if not self._can_write():
            return
        records = self._store.records
        now = Math.floor(dt.now())
        for r in records.get_running_records():
            r.t2 = max(r.t1 + 2, now)
            records.put(r)
        ds = final_description(self._desc.value)
        record = records.create(now, now, ds)
        if not ds:
            del record["ds"]
        records.put(record)
        self.close(record)
        visible = self._app.get_range() if self._app.get_range else None
        if visible and not (visible[0] <= now and now < visible[1]):
            if not _call(self._app.actions, "show_today"):
                self._app.animate_range(dt.day_start(now), dt.day_end(now))
        _call(self._app.actions, "record_started", record)
        _call(self._app, "request_redraw")


def start_record(app, ds=""):
    """RC-02: a new running record from now, in the dialog's Start mode."""
    now = Math.floor(dt.now())
    record = app.store.records.create(now, now, ds)
    return RecordDialog(app).open("start", record)


def resume_record(app):
    """RC-03: start again what runs or what ran last (within 7 days)."""
    records = app.store.records
    now = Math.floor(dt.now())
    ds = resume_description(
        records.get_running_records(),
        records.get_records(now - RESUME_LOOKBACK, now),
        now,
    )
    return start_record(app, ds or "")


def edit_record(app, record, callback=None):
    """RC-08: open a record for editing (the timeline's label click, search, report)."""
    return RecordDialog(app).open("edit", record, callback)
