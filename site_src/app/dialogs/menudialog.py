"""The main menu (TL-29): a popup at the top left with the pages and help (home, the
guide and its tips, keyboard shortcuts, what is new in this version or, with a red
dot, that a new version is ready: SK-10, SY-23), managing records (search, import,
export), settings and the account (log in or out).

``menu_entries(info)`` decides what the menu holds from a plain description of the
situation (pure, tested in node); ``MenuDialog(app).open()`` shows it and opens the
chosen dialog.
"""

from pscript import window

from ..core import env, icons, markup
from ..reports import exportdialog, importdialog
from . import (
    basedialog,
    guidedialog,
    helpdialog,
    searchdialog,
    settingsdialog,
    targetsdialog,
)

BaseDialog = basedialog.BaseDialog


def menu_entries(info):
    """The menu's sections from a plain description of the situation.

    ``info``: ``{kind, username, usable, logged_in, can_install, version,
    new_version}`` (``new_version``: a new version has taken over). Returns
    ``{intro, sections: [[title, [[id, label, icon]]]], install}`` (pure, for tests).
    """
    kind = info.kind
    if kind == "demo":
        intro = "This is the demo: the records are generated and nothing is saved."
    elif kind == "sandbox":
        intro = "This is the sandbox: try anything, nothing is saved."
    elif info.username:
        intro = "Signed in as <b>" + markup.escape(info.username) + "</b>"
    else:
        intro = "Not signed in"
    pages = [
        ["home", "Homepage", "home"],
        ["guide", "Guide", "book"],
        ["tips", "Tips", "info"],
        ["shortcuts", "Keyboard shortcuts", "keyboard"],
    ]
    if info.new_version:
        label = "New version available"
        if info.version and info.new_version != "new":
            label += ": " + info.version + " \u2192 " + info.new_version
        pages.append(["update", label, "gift"])
    elif info.version:
        pages.append(["changes", "What's new in version " + info.version, "gift"])
    else:
        pages.append(["changes", "What's new", "gift"])
    sections = [["Pages and help", pages]]
    if info.usable:
        manage = [
            ["search", "Search records", "search"],
            ["targets", "Targets", "hourglass"],
            ["import", "Import records", "import"],
            ["export", "Export all records", "export"],
        ]
        sections.append(["Manage", manage])
    user = []
    if info.usable:
        user.append(["settings", "Settings", "settings"])
    if kind == "connected" or kind == "" or kind is None:
        user.append(["account", "Account", "user"])
    if info.logged_in:
        user.append(["logout", "Log out", "logout"])
    else:
        user.append(["login", "Log in", "login"])
    sections.append(["User", user])
    return {"intro": intro, "sections": sections, "install": bool(info.can_install)}


class MenuDialog(BaseDialog):
    """The main menu: a popup at the top left (TL-29)."""

    is_popup = True
    css_class = "tt-menu"

    def _info(self):
        store = self._app.store
        kind = store.kind if store else ""
        username = store.username if store else ""
        usable = bool(store and (store.can_use() if store.can_use else True))
        return {
            "kind": kind,
            "username": username,
            "usable": usable,
            "logged_in": bool(kind == "connected" and username),
            "version": env.get_version(),
            "new_version": self._app.new_version or "",
            "can_install": bool(self._app.install_prompt),
        }

    def open(self, callback=None):
        info = self._info()
        menu = menu_entries(info)
        self._build_frame("Menu")
        html = '<div class="tt-menu-intro">' + menu.intro + "</div>"
        for section in menu.sections:
            html += (
                '<div class="tt-menu-section"><h3>'
                + markup.escape(section[0])
                + "</h3>"
            )
            for entry in section[1]:
                href = self._href(entry[0])
                cls = (
                    "tt-menu-item tt-has-dot"
                    if entry[0] == "update"
                    else "tt-menu-item"
                )
                if href:
                    html += '<a class="' + cls + '" href="' + markup.escape(href) + '"'
                else:
                    html += '<a class="' + cls + '" href="#" role="button"'
                html += ' data-entry="' + entry[0] + '">'
                html += (
                    icons.icon(entry[2])
                    + "<span>"
                    + markup.escape(entry[1])
                    + "</span></a>"
                )
            html += "</div>"
        if menu.install:
            html += (
                '<a class="tt-menu-item tt-install" href="#" role="button" data-entry="install">'
                + icons.icon("download")
                + "<span>Install this app</span></a>"
            )
        if info.version:
            html += (
                '<div class="tt-menu-version">Version '
                + markup.escape(info.version)
                + "</div>"
            )
        self.body.innerHTML = html
        for el in markup.query_all(self.body, "[data-entry]"):
            el.addEventListener("click", self._on_entry_click, False)
        self._show(callback)
        first = self.body.querySelector(".tt-menu-item")
        if first and basedialog.is_desktop():
            first.focus()
        return self

    def _href(self, entry):
        root = env.site_root_url()
        if entry == "home":
            return root  # quirk 15: the site root, not an absolute "/"
        elif entry == "account":
            return root + "account"
        elif entry == "login":
            return root + "login"
        elif entry == "logout":
            return root + "logout"
        return ""

    def _on_entry_click(self, e):
        entry = e.currentTarget.dataset.entry
        if self._href(entry):
            return  # a real link: let the browser follow it
        e.preventDefault()
        app = self._app
        self.close()
        if entry == "install":
            prompt = app.install_prompt
            if prompt and prompt.prompt:
                prompt.prompt()
        elif entry == "search":
            searchdialog.SearchDialog(app).open()
        elif entry == "targets":
            targetsdialog.TargetsDialog(app).open()
        elif entry == "import":
            importdialog.ImportDialog(app).open()
        elif entry == "export":
            exportdialog.ExportDialog(app).open()
        elif entry == "settings":
            settingsdialog.SettingsDialog(app).open()
        elif entry == "shortcuts":
            helpdialog.HelpDialog(app).open()
        elif entry == "guide":
            guidedialog.GuideDialog(app).open("guide")
        elif entry == "tips":
            guidedialog.GuideDialog(app).open("guide", "tips")
        elif entry == "changes":
            guidedialog.GuideDialog(app).open("changes")
        elif entry == "update":
            window.location.reload()
