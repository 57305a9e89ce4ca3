"""The tag presets editor (TG-10), opened from the record dialog's pencil button.

A preset is a line of one or more tags (``#client1 #meeting``); presets are offered by
the autocompletion (``##``) and the Presets button (RC-11, RC-12) and stored in the
synced setting ``tag_presets`` (a list of strings, ST-18). Check & Save reduces each
line to its tags (lower-cased, in order, without repeats; other words dropped), keeps
empty lines as empty entries (trailing ones dropped) and refuses lists whose JSON would
reach the 8192-character limit of a setting. A text file dropped on the text area
replaces its text. The pure helpers are tested in node.
"""

from pscript import window

from ..core import icons, settings, tags
from . import basedialog

MAX_JSON = 8192  # a setting's JSON must be shorter than this (DM0-3)
REFUSED_EXTENSIONS = [".xls", ".xlsx", ".ods", ".numbers", ".pdf", ".doc", ".docx"]


# %% Pure helpers


def normalize_preset_line(line):
    """The tags of a line, lower-cased, in order of appearance, without repeats."""
    found = []
    for part in tags.split_description(tags.to_str(line or "", 100000))[1]:
        if part.startswith("#") and found.indexOf(part) < 0:
            found.append(part)
    return " ".join(found)


def normalize_presets(text):
    """The presets list from the editor's text (one preset per line)."""
    lines = str(text or "").split("\r").join("").split("\n")
    res = [normalize_preset_line(line) for line in lines]
    while len(res) > 0 and res[-1] == "":
        res.pop(-1)
    return res


def presets_to_text(presets):
    return "\n".join([str(p or "") for p in presets or []])


def json_size(presets):
    return len(window.JSON.stringify(presets))


def estimate_size(text):
    """A quick estimate of the saved size while typing (no normalisation)."""
    lines = str(text or "").split("\n")
    return len(text or "") + 3 * len(lines) + 2


def presets_summary(presets):
    """``[number of presets, number of distinct tags]`` (empty entries not counted)."""
    count = 0
    seen = {}
    n_tags = 0
    for p in presets:
        if not p:
            continue
        count += 1
        for tag in tags.get_tags(p):
            if not seen[tag]:
                seen[tag] = True
                n_tags += 1
    return [count, n_tags]


def check_file_name(name):
    """A message when a dropped file cannot be read as text, else ``""``."""
    low = str(name or "").toLowerCase()
    for ext in REFUSED_EXTENSIONS:
        if low.endswith(ext):
            return (
                "Cannot read "
                + name
                + ": export it as CSV or plain text first, or paste the text here."
            )
    return ""


# %% The dialog


BaseDialog = basedialog.BaseDialog  # PScript needs a plain name (no dots, no _) as base


class PresetsDialog(BaseDialog):
    """Edit the tag presets."""

    css_class = "tt-presets-dialog"

    def open(self, callback=None):
        self._build_frame("Tag presets", "tag")
        ic = icons.icon
        self.body.innerHTML = (
            '<p class="tt-explain">Presets are combinations of tags you use often. '
            "Write one preset per line, for example <code>#client1 #meeting</code>. "
            "In the description, type <kbd>##</kbd> or use the Presets button to insert "
            "one. Words that are not tags are dropped when saving.</p>"
            '<label class="tt-label" for="tt-presets-text">Presets (one per line)</label>'
            '<textarea id="tt-presets-text" class="tt-presets-text" rows="12" spellcheck="false"'
            ' autocomplete="off" placeholder="#client1 #meeting&#10;#client2 #design"'
            " data-autofocus></textarea>"
            '<div class="tt-presets-status" role="status" aria-live="polite"></div>'
        )
        self.footer.innerHTML = (
            '<div class="tt-buttons">'
            '<button type="button" class="tt-btn tt-cancel">Close</button>'
            '<button type="button" class="tt-btn tt-primary tt-save">'
            + ic("check")
            + "<span>Check &amp; Save</span></button></div>"
        )
        self._text = self.body.querySelector("textarea")
        self._status = self.body.querySelector(".tt-presets-status")
        self._save_btn = self.footer.querySelector(".tt-save")
        self._text.value = presets_to_text(settings.get("tag_presets"))
        self._text.addEventListener("input", self._on_input, False)
        self._text.addEventListener("dragover", self._on_dragover, False)
        self._text.addEventListener("dragleave", self._on_dragleave, False)
        self._text.addEventListener("drop", self._on_drop, False)
        self.footer.querySelector(".tt-cancel").onclick = lambda e: self.close()
        self._save_btn.onclick = lambda e: self.submit()
        store = self._app.store
        if store and store.is_read_only:
            self._save_btn.disabled = True
            self._set_status(
                "This account is read-only: presets cannot be saved.", True
            )
        self._show(callback)
        return self

    def _set_status(self, text, is_error=False):
        self._status.textContent = text
        self._status.classList.toggle("tt-error", bool(is_error))

    def _on_input(self, e):
        too_big = estimate_size(self._text.value) >= MAX_JSON
        self._text.classList.toggle("tt-too-big", too_big)
        if too_big:
            self._set_status("This is probably too much text to save.", True)
        elif self._status.classList.contains("tt-error"):
            self._set_status("")

    def _on_dragover(self, e):
        e.preventDefault()
        self._text.classList.add("tt-dragover")

    def _on_dragleave(self, e):
        self._text.classList.remove("tt-dragover")

    def _on_drop(self, e):
        e.preventDefault()
        self._text.classList.remove("tt-dragover")
        files = e.dataTransfer.files if e.dataTransfer else None
        if not files or files.length == 0:
            return
        file = files[0]
        msg = check_file_name(file.name)
        if msg:
            self._set_status(msg, True)
            return
        reader = window.FileReader()

        def loaded():
            self._text.value = str(reader.result or "")
            self._on_input(None)
            self._set_status("Read " + file.name + ": check the presets, then save.")

        reader.onload = loaded
        reader.readAsText(file)

    def _on_key(self, e):
        if (e.key == "Enter" or e.key == "s") and (e.ctrlKey or e.metaKey):
            e.preventDefault()
            self.submit()

    def submit(self):
        """Check & Save: normalise, refuse when too big, save, show the result."""
        presets = normalize_presets(self._text.value)
        size = json_size(presets)
        if size >= MAX_JSON:
            self._set_status(
                "Too many presets: they use "
                + str(size)
                + " of at most "
                + str(MAX_JSON - 1)
                + " characters. Nothing was saved.",
                True,
            )
            return
        settings.set("tag_presets", presets)
        self._text.value = presets_to_text(presets)
        self._text.classList.remove("tt-too-big")
        counts = presets_summary(presets)
        self._set_status(
            "Saved "
            + str(counts[0])
            + (" preset" if counts[0] == 1 else " presets")
            + " with "
            + str(counts[1])
            + (" unique tag." if counts[1] == 1 else " unique tags.")
        )
