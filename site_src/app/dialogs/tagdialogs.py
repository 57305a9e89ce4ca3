"""Tag management dialogs: configure a tag (TG-07, with its target TP-01/TP-02), a tag
combination (TG-09), and rename / merge / remove tags across records (TG-12).

* ``TagDialog(app).open(tag, callback=None)``: colour (text field, Default, Random, a
  palette of 40 swatches and the browser's colour picker), priority (primary or
  secondary, TG-08), target (hours per day/week/month/year, with the progress in the
  visible range, TP-03). Apply stores the tag info (TG-15); Rename opens the rename
  dialog for the tag. Enter applies.
* ``TagComboDialog(app).open(tagz, callback=None)``: one button per tag (opens its
  dialog), the combination's target, Rename for the whole combination.
* ``RenameDialog(app).open(tags, callback=None)``: new tag(s) for the given tag(s);
  "Prepare" finds every record having all of them (deleted ones too, as they sync),
  shows how many and an example; confirming rewrites them (the first occurrence of an
  old tag becomes the new tags, later ones go) and puts them in one go. Renaming one
  tag to one tag moves its colour, priority and target along (a merge into an
  existing tag keeps the existing tag's info). An empty new field removes the tags.

Quirk 8 fixed: Random always gives six hex digits. The palette was made with HSLuv
(saturation 85, lightness 38/52/66/80, hues 0 to 324 in steps of 36), computed once
with the ``hsluv`` package; the values are constants here. Pure helpers
(``random_color``, ``normalize_color``, ``parse_new_tags``, ``rename_ds``,
``records_to_rename``, ``targets_from_form``, ``parse_rate``) are tested in node.
The tag dialog also sets the tag's hourly rate (``taginfo`` ``rate``; earnings: reports).
"""

from pscript import window

from ..core import (
    colors,
    dt,
    icons,
    markup,
    settings,
    taginfo,
    tags,
    targetglance,
    targets,
)
from ..reports import reports
from . import basedialog

PALETTE = [
    "#A9214D", "#824C1F", "#66591E", "#48611E", "#1F6542", "#21635D", "#22616F", "#275A9A", "#872AB3", "#9D2582",
    "#E6316C", "#B36A2D", "#8D7C2D", "#65862D", "#2E8C5D", "#318980", "#338699", "#387DD2", "#B348EA", "#D636B3",
    "#F47A96", "#E68A3D", "#B6A03D", "#84AE3C", "#3EB57A", "#41B1A6", "#44ADC6", "#70A1F1", "#C686F1", "#F271D1",
    "#F8B5C1", "#F8B996", "#E0C64D", "#A3D64C", "#4FDF97", "#52DBCD", "#55D6F4", "#B0C7F7", "#DCB9F7", "#F7B1E2",
]  # fmt: skip
TARGET_PERIODS = [
    ["", "No target"],
    ["day", "Day"],
    ["week", "Week"],
    ["month", "Month"],
    ["year", "Year"],
]
_RESET_WORDS = ["", "auto", "default", "undefined", "null", "none"]


# %% Pure helpers


def random_color(rand=None):
    """A random colour ``#rrggbb``, always six hex digits (quirk 8 fixed)."""
    rand = rand or Math.random
    n = Math.floor(rand() * 0x1000000)
    return "#" + ("000000" + n.toString(16)).slice(-6).toUpperCase()


def normalize_color(text):
    """The colour to store for what was typed: "" (the default) for an empty field or
    "auto"/"default"/"undefined"/"null"; ``#abc`` widened to ``#AABBCC``; hex upper-cased;
    other CSS colours (names, rgb()) as typed."""
    s = str(text or "").strip()
    if _RESET_WORDS.indexOf(s.toLowerCase()) >= 0:
        return ""
    if RegExp("^#?[0-9a-fA-F]{3}$").test(s):
        s = s.replace("#", "")
        return ("#" + s[0] + s[0] + s[1] + s[1] + s[2] + s[2]).toUpperCase()
    if RegExp("^#?[0-9a-fA-F]{6}$").test(s):
        return ("#" + s.replace("#", "")).toUpperCase()
    return s


def parse_new_tags(text):
    """The tags typed in the rename field: space-separated, ``#`` optional; words that
    are no valid tag are made into one (TG-05); lower case, without duplicates."""
    res = []
    for word in str(text or "").replace(",", " ").split(" "):
        word = word.strip()
        if not word:
            continue
        if not word.startswith("#"):
            word = "#" + word
        found = tags.get_tags(word)
        if len(found) == 1 and found[0] == word.toLowerCase():
            tag = found[0]
        else:
            tag = tags.text_to_tag(word[1:]).toLowerCase()
        if tag and tag != tags.UNTAGGED and res.indexOf(tag) < 0:
            res.append(tag)
    return res


def _record_tags(ds):
    """The tags of a description, deleted records included (their tags follow the
    HIDDEN marker)."""
    return tags.get_tags(ds or "")


def records_to_rename(records, old_tags):
    """The records having all ``old_tags`` (``#untagged``: no tags at all), deleted
    ones included, ordered by start time (TG-12)."""
    found = []
    untagged = len(old_tags) == 1 and old_tags[0] == tags.UNTAGGED
    for r in records or []:
        rt = _record_tags(r.ds)
        if untagged:
            ok = len(rt) == 0
        else:
            ok = len(old_tags) > 0
            for tag in old_tags:
                if rt.indexOf(tag) < 0:
                    ok = False
                    break
        if ok:
            found.append(r)
    found.sort(key=lambda r: r.t1)
    return found


def renamed_selection(selected, old_tags, new_tags):
    """The overview's tag filter after a rename (TL-23): when it holds all of
    ``old_tags``, they are replaced (at the first one's place) by ``new_tags``;
    otherwise it is unchanged. Returns a new list, or None when unchanged."""
    for tag in old_tags:
        if tag not in selected:
            return None
    out = []
    for tag in selected:
        if tag in old_tags:
            if tag == old_tags[0]:
                for new_tag in new_tags:
                    if new_tag not in out:
                        out.append(new_tag)
        elif tag not in out:
            out.append(tag)
    return out


def rename_ds(ds, old_tags, new_tags):
    """A description with ``old_tags`` replaced by ``new_tags``: the first occurrence
    of an old tag (or of a new tag already present) becomes the new tags joined by
    spaces, every further occurrence is dropped; with no new tags they are all
    removed. Renaming ``#untagged`` puts the new tags in front. Spaces left around a
    removed tag collapse to one."""
    ds = ds or ""
    replacement = " ".join(new_tags)
    if len(old_tags) == 1 and old_tags[0] == tags.UNTAGGED:
        if len(_record_tags(ds)) > 0 or not replacement:
            return ds
        if ds.startswith("HIDDEN"):
            rest = ds[6:].strip()
            return ("HIDDEN " + replacement + " " + rest).strip()
        return (replacement + " " + ds).strip() if ds.strip() else replacement
    parts = tags.split_description(ds)[1]
    out = ""
    placed = False
    for part in parts:
        low = part.toLowerCase()
        if part.startswith("#") and (
            old_tags.indexOf(low) >= 0 or new_tags.indexOf(low) >= 0
        ):
            if not placed and replacement:
                out += replacement
            placed = True
            continue
        out += part
    # Collapse the double spaces a removed tag leaves, and trim the ends.
    while out.indexOf("  ") >= 0:
        out = out.replace("  ", " ")
    return out.strip()


def targets_from_form(hours_text, period):
    """The targets to store from the form (TP-01): ``{period: hours}``, or ``{}`` for
    "No target" or hours that are not above zero."""
    text = str(hours_text or "").strip().replace(",", ".")
    res = {}
    if not RegExp("^[0-9]*\\.?[0-9]+$").test(text):
        return res
    hours = window.parseFloat(text)  # (window.Number(...) would make a Number object)
    if period and hours > 0:
        res[period] = hours
    return res


def parse_rate(text):
    """The hourly rate typed in the tag dialog: ``[ok, rate]``. Empty is no rate
    (``[True, None]``); a number >= 0 (``12.5``, ``12,5``) is the rate; anything
    else is refused (``[False, None]``)."""
    text = str(text or "").strip().replace(",", ".")
    if not text:
        return [True, None]
    if not RegExp("^[0-9]*\\.?[0-9]+$").test(text):
        return [False, None]
    rate = taginfo.clean_rate(window.parseFloat(text))
    return [rate is not None, rate]


def _rate_html(rate):
    currency = reports.clean_currency(settings.get("currency"))
    return (
        '<div class="tt-field"><label class="tt-label" for="tt-tg-rate">Hourly rate</label>'
        + '<div class="tt-tg-rate-row"><input type="text" id="tt-tg-rate" class="tt-tg-rate"'
        + ' inputmode="decimal" autocomplete="off" placeholder="none" value="'
        + ("" if rate is None else str(rate))
        + '"><span class="tt-tg-currency">'
        + markup.escape(currency or "per hour")
        + "</span></div>"
        + '<div class="tt-note">Reports show what records with this tag earn. '
        + markup.escape(reports.RATE_RULE)
        + " The currency is chosen in the settings.</div></div>"
    )


def first_target(info_targets):
    """``[period, hours]`` of the first stored target (day, week, month, year order),
    or ``["", 1]`` (the form's defaults) when there is none."""
    for period in taginfo.PERIODS:
        if info_targets and info_targets[period]:
            return [period, info_targets[period]]
    return ["", 1]


# %% Shared parts of the dialogs

BaseDialog = basedialog.BaseDialog  # PScript needs a plain name as base class


def _tags_of(value):
    if isinstance(value, str):
        return [t for t in value.split(" ") if t]
    return list(value or [])


def _tags_html(tag_list):
    return " ".join([markup.tag_html(t) for t in tag_list])


def _period_options(selected):
    html = ""
    for pair in TARGET_PERIODS:
        sel = " selected" if pair[0] == selected else ""
        html += '<option value="' + pair[0] + '"' + sel + ">" + pair[1] + "</option>"
    return html


def _target_html(info_targets):
    pair = first_target(info_targets)
    return (
        '<div class="tt-field"><span class="tt-label">Target</span>'
        + '<div class="tt-tg-target"><input type="number" class="tt-tg-hours" min="0" step="0.5"'
        + ' inputmode="decimal" aria-label="Hours" value="'
        + str(pair[1])
        + '"><span>hours per</span><select class="tt-tg-period" aria-label="Period">'
        + _period_options(pair[0])
        + "</select></div>"
        + '<div class="tt-tg-progress tt-note" aria-live="polite"></div></div>'
    )


def _progress_text(app, tag_list, target_map):
    """The target progress in the visible range (TP-03), as a line of text."""
    if not target_map or len(target_map.keys()) == 0:
        return ""
    store = app.store
    if not store or not store.records or not app.get_range:
        return ""
    r = app.get_range()
    stats = store.records.get_stats(r[0], r[1])
    tracked = targetglance.tracked_for(stats, tag_list)
    workdays = targets.user_calendar(settings.get)
    prog = targets.target_progress(
        target_map, r[0], r[1], tracked, workdays, settings.get("duration_repr")
    )
    if prog is None:
        return "No target applies to the visible range."
    return (
        "In the visible range: "
        + prog.text
        + (" (" + prog.right_text + ")" if prog.right_text else "")
    )


class TargetDialog(BaseDialog):
    """Base of the tag and combo dialogs: the target form and the footer."""

    def _wire_target(self):
        self._hours = self.body.querySelector(".tt-tg-hours")
        self._period = self.body.querySelector(".tt-tg-period")
        self._hours.addEventListener("input", self._update_progress, False)
        self._period.addEventListener("change", self._update_progress, False)
        self._update_progress()

    def _form_targets(self):
        return targets_from_form(self._hours.value, self._period.value)

    def _update_progress(self, e=None):
        self._hours.disabled = not self._period.value
        node = self.body.querySelector(".tt-tg-progress")
        node.textContent = _progress_text(self._app, self._tags, self._form_targets())

    def _footer(self):
        self.footer.innerHTML = (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-tg-rename" aria-label="Rename">'
            + icons.icon("pencil")
            + "<span>Rename\u2026</span></button>"
            + '<button type="button" class="tt-btn tt-tg-cancel">Cancel</button>'
            + '<button type="button" class="tt-btn tt-primary tt-tg-apply">'
            + icons.icon("check")
            + "Apply</button></div>"
        )
        self.footer.querySelector(".tt-tg-rename").onclick = lambda e: self._rename()
        self.footer.querySelector(".tt-tg-cancel").onclick = lambda e: self.close()
        self.footer.querySelector(".tt-tg-apply").onclick = lambda e: self.submit()

    def _rename(self):
        def after(value=None):
            if value:  # renamed: this dialog's tag is gone
                self.close(True)

        RenameDialog(self._app).open(self._tags, after)

    def _on_key(self, e):
        if e.key == "Enter" and not e.isComposing and e.target.tagName != "BUTTON":
            if e.target.tagName == "SELECT":
                return
            e.preventDefault()
            self.submit()


# %% Configure tag (TG-07)


class TagDialog(TargetDialog):
    """Colour, priority and target of one tag (TG-07)."""

    css_class = "tt-tag-dialog"

    def open(self, tag, callback=None):
        tag = str(tag or "").strip().toLowerCase()
        if not tag.startswith("#"):
            tag = "#" + tag
        self._tag = tag
        self._tags = [tag]
        info = taginfo.get_tag_info(tag)
        self._build_frame("Configure tag " + tag, "tag")
        swatches = ""
        for color in PALETTE:
            swatches += (
                '<button type="button" class="tt-swatch" data-color="'
                + color
                + '" style="background:'
                + color
                + '" aria-label="Colour '
                + color
                + '" title="'
                + color
                + '"></button>'
            )
        self.body.innerHTML = (
            '<div class="tt-tg-name">'
            + markup.tag_html(tag)
            + "</div>"
            + '<div class="tt-field"><label class="tt-label" for="tt-tg-color">Colour</label>'
            + '<div class="tt-tg-color-row"><span class="tt-tg-preview" aria-hidden="true"></span>'
            + '<input type="text" id="tt-tg-color" class="tt-tg-color" data-autofocus="select"'
            + ' spellcheck="false" autocomplete="off" placeholder="default">'
            + '<button type="button" class="tt-small tt-tg-default">Default</button>'
            + '<button type="button" class="tt-small tt-tg-random">Random</button>'
            + '<label class="tt-small tt-tg-pick" title="Pick any colour">Custom'
            + '<input type="color" class="tt-tg-picker"></label></div>'
            + '<div class="tt-palette" role="group" aria-label="Palette">'
            + swatches
            + "</div></div>"
            + '<div class="tt-field"><label class="tt-label" for="tt-tg-priority">Priority</label>'
            + '<select id="tt-tg-priority" class="tt-tg-priority">'
            + '<option value="1">Primary</option><option value="2">Secondary</option></select>'
            + '<div class="tt-note">Secondary tags (like #paid) come last in a combination,'
            " are left out of the statistics blocks, and reports can hide them.</div></div>"
            + _target_html(info.targets)
            + _rate_html(info.rate)
        )
        self._footer()
        self._rate = self.body.querySelector(".tt-tg-rate")
        self._rate.addEventListener(
            "input", lambda e: self._rate.classList.remove("tt-invalid"), False
        )
        self._color = self.body.querySelector(".tt-tg-color")
        self._preview = self.body.querySelector(".tt-tg-preview")
        self._picker = self.body.querySelector(".tt-tg-picker")
        self._priority = self.body.querySelector(".tt-tg-priority")
        self._priority.value = "2" if info.priority == 2 else "1"
        self._color.value = info.color or ""
        self._color.addEventListener("input", self._update_color, False)
        self.body.querySelector(".tt-tg-default").onclick = lambda e: self._set_color(
            ""
        )
        self.body.querySelector(".tt-tg-random").onclick = lambda e: self._set_color(
            random_color()
        )
        self._picker.addEventListener(
            "input", lambda e: self._set_color(self._picker.value), False
        )
        for el in markup.query_all(self.body, ".tt-swatch"):
            el.addEventListener("click", self._on_swatch, False)
        self._wire_target()
        self._update_color()
        self._show(callback)
        return self

    def _on_swatch(self, e):
        self._set_color(e.currentTarget.dataset.color)

    def _set_color(self, color):
        self._color.value = normalize_color(color)
        self._update_color()

    def _update_color(self, e=None):
        color = normalize_color(self._color.value)
        valid = not color or colors.is_color(color)
        shown = color if (color and valid) else taginfo.DEFAULT_COLOR
        self._preview.style.background = shown
        self._color.style.borderLeftColor = shown
        self._color.classList.toggle("tt-invalid", not valid)
        if RegExp("^#[0-9A-F]{6}$").test(shown.toUpperCase()):
            self._picker.value = shown.toLowerCase()
        for el in markup.query_all(self.body, ".tt-swatch"):
            el.classList.toggle("tt-selected", el.dataset.color == color)

    def submit(self):
        color = normalize_color(self._color.value)
        if color and not colors.is_color(color):
            self._color.focus()
            return
        rate = parse_rate(self._rate.value)
        if not rate[0]:
            self._rate.classList.add("tt-invalid")
            self._rate.focus()
            return
        taginfo.set_tag_info(
            self._tag,
            {
                "color": color,
                "priority": 2 if self._priority.value == "2" else 1,
                "targets": self._form_targets(),
                "rate": rate[1],
            },
        )
        if self._app.request_redraw:
            self._app.request_redraw()
        self.close(True)


# %% Tag combination (TG-09)


class TagComboDialog(TargetDialog):
    """The target of a tag combination, and a way to each of its tags (TG-09)."""

    css_class = "tt-combo-dialog"

    def open(self, tagz, callback=None):
        tag_list = _tags_of(taginfo.normalize_tagz(" ".join(_tags_of(tagz))))
        self._tags = tag_list
        self._tagz = " ".join(tag_list)
        info = taginfo.get_tag_info(self._tagz)
        self._info = info
        self._build_frame("Tag combo " + self._tagz, "tag")
        buttons = ""
        for tag in tag_list:
            buttons += (
                '<button type="button" class="tt-small tt-tg-one" data-tag="'
                + markup.escape(tag)
                + '" title="Configure this tag">'
                + markup.tag_html(tag)
                + "</button>"
            )
        self.body.innerHTML = (
            '<div class="tt-field"><span class="tt-label">Tags</span>'
            + '<div class="tt-tg-tags">'
            + buttons
            + "</div>"
            + '<div class="tt-note">Colour and priority belong to each tag: click one to'
            " change them.</div></div>" + _target_html(info.targets)
        )
        self._footer()
        for el in markup.query_all(self.body, ".tt-tg-one"):
            el.addEventListener("click", self._on_tag_click, False)
        self._wire_target()
        self._show(callback)
        return self

    def _on_tag_click(self, e):
        tag = e.currentTarget.dataset.tag

        def after(value=None):
            if self._is_shown:
                self.body.querySelector(
                    '.tt-tg-one[data-tag="' + tag + '"]'
                ).innerHTML = markup.tag_html(tag)

        TagDialog(self._app).open(tag, after)

    def submit(self):
        taginfo.set_tag_info(
            self._tagz,
            {
                "color": self._info.color,
                "priority": self._info.priority,
                "targets": self._form_targets(),
            },
        )
        if self._app.request_redraw:
            self._app.request_redraw()
        self.close(True)


# %% Rename, merge, remove (TG-12)


class RenameDialog(BaseDialog):
    """Replace or remove tags in every record that has them (TG-12)."""

    css_class = "tt-rename-dialog"

    def open(self, tag_list, callback=None):
        self._old = [t.toLowerCase() for t in _tags_of(tag_list)]
        self._found = None
        many = len(self._old) > 1
        self._build_frame("Rename tags" if many else "Rename tag", "pencil")
        self.body.innerHTML = (
            '<div class="tt-field"><span class="tt-label">'
            + ("Current tags" if many else "Current tag")
            + '</span><div class="tt-tg-tags">'
            + _tags_html(self._old)
            + "</div></div>"
            + '<div class="tt-field"><label class="tt-label" for="tt-rn-new">New tag'
            + ("s" if many else "")
            + '</label><input type="text" id="tt-rn-new" class="tt-rn-new" data-autofocus'
            + ' autocomplete="off" spellcheck="false" placeholder="e.g. #project-x">'
            + '<div class="tt-note">Several tags separated by spaces; leave empty to remove'
            + (" them" if many else " the tag")
            + " from the records. Renaming to a tag that exists merges them.</div></div>"
            + '<div class="tt-buttons tt-rn-buttons">'
            + '<button type="button" class="tt-btn tt-rn-prepare">Prepare renaming\u2026</button>'
            + "</div>"
            + '<div class="tt-rn-result" aria-live="polite"></div>'
        )
        self._input = self.body.querySelector(".tt-rn-new")
        self._result = self.body.querySelector(".tt-rn-result")
        self._input.addEventListener("input", self._on_input, False)
        self._input.addEventListener("change", self._on_commit_field, False)
        self.body.querySelector(".tt-rn-prepare").onclick = lambda e: self.prepare()
        self._show(callback)
        return self

    def _on_input(self, e):
        self._found = None
        self._result.innerHTML = ""

    def _on_commit_field(self, e):
        new_tags = parse_new_tags(self._input.value)
        self._input.value = " ".join(new_tags)

    def _on_key(self, e):
        if e.key == "Enter" and not e.isComposing and e.target is self._input:
            e.preventDefault()
            self._on_commit_field(e)
            self.prepare()

    def prepare(self):
        """Find the records and offer to change them."""
        esc = markup.escape
        new_tags = parse_new_tags(self._input.value)
        store = self._app.store
        records = store.records.get_all_records(True) if store else []
        found = records_to_rename(records, self._old)
        self._found = found
        self._new = new_tags
        n = len(found)
        if n == 0:
            self._result.innerHTML = '<button type="button" class="tt-btn tt-rn-confirm" disabled>No records found</button>'
            return
        noun = " record" if n == 1 else " records"
        if len(new_tags):
            label = (
                "Replace "
                + " ".join(self._old)
                + " with "
                + " ".join(new_tags)
                + " in "
                + str(n)
                + noun
            )
        else:
            label = "Remove " + " ".join(self._old) + " from " + str(n) + noun
        example = found[0]
        after = rename_ds(example.ds, self._old, new_tags)
        html = (
            '<p class="tt-note tt-rn-example">For example, '
            + dt.format_isodate(example.t1)
            + ": <s>"
            + esc(example.ds or "")
            + "</s> \u2192 <b>"
            + esc(after)
            + "</b></p>"
        )
        html += (
            '<div class="tt-buttons"><button type="button" class="tt-btn tt-danger tt-rn-confirm">'
            + esc(label)
            + "</button></div>"
        )
        self._result.innerHTML = html
        self._result.querySelector(".tt-rn-confirm").onclick = lambda e: self.confirm()

    def confirm(self):
        """Rewrite the found records and move the tag info along (1 tag to 1 tag)."""
        if not self._found:
            return
        store = self._app.store
        changed = []
        for record in self._found:
            ds = rename_ds(record.ds, self._old, self._new)
            if ds != record.ds:
                record.ds = ds
                changed.append(record)
        if len(changed):
            store.records.put.apply(store.records, changed)
        if (
            len(self._old) == 1
            and len(self._new) == 1
            and self._old[0] != tags.UNTAGGED
        ):
            old_info = taginfo.get_tag_info(self._old[0])
            if settings.get("taginfo " + self._new[0]) is None:
                taginfo.set_tag_info(self._new[0], old_info)
            if settings.get("taginfo " + self._old[0]) is not None:
                taginfo.set_tag_info(
                    self._old[0],
                    {"color": "", "priority": 1, "targets": {}, "rate": None},
                )
        sel = renamed_selection(self._app.selected_tags or [], self._old, self._new)
        if sel is not None:
            self._app.selected_tags = sel  # the overview follows the rename
        button = self._result.querySelector(".tt-rn-confirm")
        button.disabled = True
        button.innerHTML = icons.icon("check") + "Done"
        self._found = None
        if self._app.request_redraw:
            self._app.request_redraw()
        window.setTimeout(lambda: self.close(True), 500)
