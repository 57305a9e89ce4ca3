"""The guide (SK-09) and the release notes (SY-23) in a dialog.

Both are pages of the build: ``app/help/guide/`` (``site_src/app/help/guide.md``) and
``app/help/changes/`` (``CHANGELOG.md`` of the repository). The service worker
precaches them with the app, so they open offline; nothing comes from another host.
``GuideDialog(app).open(page="guide", anchor="")`` fetches the page (once per page
load), shows its ``<main>`` (the build's own markup, not user data) and scrolls to
``anchor`` (the id of a heading, e.g. "tips"); for "changes" the notes of the running
version are marked and scrolled to. A link at the bottom opens the page on its own.

``PAGES``: the titles and icons; ``page_url(page)``.
"""

from pscript import window

from ..core import env, markup
from . import basedialog, helpdialog

PAGES = {
    "guide": ["Guide", "book"],
    "changes": ["What's new", "gift"],
}
_loaded = {}  # page -> HTML of its <main>


def page_url(page):
    return env.site_root_url() + "app/help/" + page + "/"


def version_heading(root, version):
    """The heading of ``version``'s notes in ``root`` (a "## 26.11.0" line), or None."""
    for h in markup.query_all(root, "h2"):
        words = (h.textContent or "").strip().split(" ")
        if version and words[0] == version:
            return h
    return None


BaseDialog = basedialog.BaseDialog


class GuideDialog(BaseDialog):
    """The guide or the release notes (see the module docstring)."""

    css_class = "tt-guide-dialog"

    def open(self, page="guide", anchor="", callback=None):
        if not PAGES[page]:
            page = "guide"
        self._page = page
        self._anchor = anchor or ""
        self._app.help_opened = True
        self._build_frame(PAGES[page][0], PAGES[page][1])
        self.node.classList.add("tt-guide-" + page)
        self.body.innerHTML = '<div class="tt-guide-text"><p>Loading ...</p></div>'
        self._text = self.body.querySelector(".tt-guide-text")
        buttons = (
            '<div class="tt-buttons"><a class="tt-btn tt-guide-page" target="_blank"'
            + ' rel="noopener" href="'
            + markup.escape(page_url(page))
            + '">Open as a page</a>'
        )
        if page == "guide":
            buttons += '<button type="button" class="tt-btn tt-guide-keys">Keyboard shortcuts</button>'
        buttons += (
            '<button type="button" class="tt-btn tt-primary tt-guide-close"'
            + " data-autofocus>Close</button></div>"
        )
        self.footer.innerHTML = buttons
        self.footer.querySelector(".tt-guide-close").onclick = lambda e: self.close()
        keys = self.footer.querySelector(".tt-guide-keys")
        if keys:
            keys.onclick = self._open_shortcuts
        self._show(callback)
        if _loaded[page]:
            self._fill(_loaded[page])
        else:
            window.fetch(page_url(page)).then(self._on_response).then(
                self._on_page
            ).catch(self._on_failed)
        return self

    def _open_shortcuts(self, e):
        app = self._app
        self.close()
        helpdialog.HelpDialog(app).open()

    def _on_response(self, response):
        if not response.ok:
            Error = window.Error
            raise Error("HTTP " + str(response.status))
        return response.text()

    def _on_page(self, text):
        Parser = window.DOMParser
        doc = Parser().parseFromString(text, "text/html")
        main = doc.querySelector("main")
        if not main:
            Error = window.Error
            raise Error("no <main> in " + page_url(self._page))
        _loaded[self._page] = main.innerHTML
        if self._is_shown:
            self._fill(main.innerHTML)

    def _on_failed(self, err):
        window.console.warn(err)
        if self._is_shown:
            self._text.innerHTML = (
                "<p>The "
                + ("guide" if self._page == "guide" else "release notes")
                + " could not be loaded. Check the connection and try again.</p>"
            )

    def _fill(self, html):
        # (Our own build's page: trusted markup, not data.)
        self._text.innerHTML = html
        title = self._text.querySelector("h1")
        if title:
            title.remove()  # the dialog's title says it
        target = None
        if self._page == "changes":
            version = env.get_version()
            target = version_heading(self._text, version)
            if target:
                target.classList.add("tt-this-version")
                target.textContent = target.textContent + " (this version)"
            elif version:
                note = markup.el("p", "tt-note")
                note.textContent = "There are no notes for version " + version + "."
                self._text.insertBefore(note, self._text.firstChild)
        if self._anchor:
            for h in markup.query_all(self._text, "h2"):
                if (h.textContent or "").strip().toLowerCase() == self._anchor:
                    target = h
        if target:
            target.scrollIntoView({"block": "start"})
