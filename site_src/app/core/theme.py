"""The colour theme of the app: the light and dark palettes, and which one is on (TL-31).

The device setting ``darkmode`` (ST-09) picks the theme: 0 follows the operating
system (``prefers-color-scheme``, also when it changes while the page is open), 1 is
light (the default), 2 is dark. ``start()`` applies the theme and keeps it applied;
``current()`` is the palette the canvas draws with. The HTML parts use the same
palette through CSS custom properties (``--tt-<name>`` on the root element), and the
body gets the class ``darkmode`` in the dark theme (dialogs style themselves with it).
"""

from pscript import window

from . import colors, events, settings

ACCENT = colors.ACCENT
NOTIFY = "#ff4444"

THEMES = {
    "light": {
        "page": "#E6E7E5",
        "band": "#0F2C3E",
        "band_text": "#F4F4F4",
        "band_muted": "#A4B0B8",
        "panel": "#F4F4F4",
        "panel_edge": "#D3D7D9",
        "button": "#FFFFFF",
        "button_text": "#0F2C3E",
        "button_shadow": "rgba(15, 44, 62, 0.25)",
        "text": "#0F2C3E",
        "muted": "#5D6F7B",
        "faint": "#A4B0B8",
        "column": "#E3E6E8",
        "column_edge": "#C5CCD1",
        "tick": "rgba(15, 44, 62, 0.55)",
        "tick_minor": "rgba(15, 44, 62, 0.12)",
        "day_line": "rgba(15, 44, 62, 0.55)",
        "record": "#FFFFFF",
        "record_running": "#FFF1D0",
        "record_edge": "#AEB8BF",
        "record_text": "#0F2C3E",
        "shade": "rgba(120, 130, 140, 0.16)",
        "block": "#FFFFFF",
        "block_fade": "rgba(244, 244, 244, 0.55)",
        "block_fade2": "rgba(244, 244, 244, 0.55)",
        "free_day": "rgba(15, 44, 62, 0.07)",
        "hover": "rgba(222, 170, 34, 0.16)",
        "accent": ACCENT,
        "notify": NOTIFY,
        "tooltip": "#0F2C3E",
        "tooltip_text": "#F4F4F4",
    },
    "dark": {
        "page": "#15191C",
        "band": "#0F2C3E",
        "band_text": "#E6E7E5",
        "band_muted": "#8D9AA3",
        "panel": "#1E2429",
        "panel_edge": "#2E363D",
        "button": "#2A3238",
        "button_text": "#E6E7E5",
        "button_shadow": "rgba(0, 0, 0, 0.5)",
        "text": "#E6E7E5",
        "muted": "#A4B0B8",
        "faint": "#5E6B74",
        "column": "#262D33",
        "column_edge": "#3A444C",
        "tick": "rgba(230, 231, 229, 0.55)",
        "tick_minor": "rgba(230, 231, 229, 0.10)",
        "day_line": "rgba(230, 231, 229, 0.5)",
        "record": "#2B343B",
        "record_running": "#4A3F22",
        "record_edge": "#4D5962",
        "record_text": "#E6E7E5",
        "shade": "rgba(0, 0, 0, 0.25)",
        "block": "#2B343B",
        "block_fade": "rgba(30, 36, 41, 0.5)",
        "block_fade2": "rgba(30, 36, 41, 0.55)",
        "free_day": "rgba(0, 0, 0, 0.22)",
        "hover": "rgba(222, 170, 34, 0.18)",
        "accent": ACCENT,
        "notify": NOTIFY,
        "tooltip": "#E6E7E5",
        "tooltip_text": "#0F2C3E",
    },
}

_changes = events.Emitter("theme")
_state = {
    "name": "light",
    "started": False,
    "media": None,
}


def current():
    """The palette in use: a dict of CSS colours (see THEMES)."""
    return THEMES[_state.name]


def theme_name():
    """``"light"`` or ``"dark"``."""
    return _state.name


def system_prefers_dark():
    """Whether the operating system asks for a dark theme."""
    if not window.matchMedia:
        return False
    return bool(window.matchMedia("(prefers-color-scheme: dark)").matches)


def resolve(darkmode, prefers_dark):
    """The theme name for a ``darkmode`` setting value (0 auto, 1 light, 2 dark)."""
    mode = int(darkmode or 0) if darkmode is not None else 1
    if mode == 2:
        return "dark"
    if mode == 0:
        return "dark" if prefers_dark else "light"
    return "light"


def apply():
    """Apply the theme the setting asks for; tell the listeners when it changed."""
    name = resolve(settings.get("darkmode"), system_prefers_dark())
    changed = name != _state.name
    _state.name = name
    palette = THEMES[name]
    doc = window.document
    if doc and doc.documentElement:
        style = doc.documentElement.style
        for key in palette.keys():
            style.setProperty("--tt-" + key.split("_").join("-"), palette[key])
        style.colorScheme = name
        if doc.body:
            if name == "dark":
                doc.body.classList.add("darkmode")
            else:
                doc.body.classList.remove("darkmode")
        meta = doc.querySelector('meta[name="theme-color"]')
        if meta:
            meta.setAttribute("content", palette.band if name == "dark" else "#F4F4F4")
    if changed:
        _changes.emit(name)
    return name


def start():
    """Apply the theme now and follow the setting and the OS preference."""
    apply()
    if _state.started:
        return
    _state.started = True

    def on_setting(key):
        if key == "darkmode":
            apply()

    settings.on_change(on_setting)
    if window.matchMedia:
        media = window.matchMedia("(prefers-color-scheme: dark)")
        _state.media = media

        def on_media(event):
            apply()

        if media.addEventListener:
            media.addEventListener("change", on_media)
        elif media.addListener:
            media.addListener(on_media)


def on_change(callback):
    """Call ``callback(name)`` when the theme changes. Returns an unsubscribe function."""
    return _changes.subscribe(callback)
