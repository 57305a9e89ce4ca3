"""The app's icons: one set of small line drawings, as inline SVG.

``icon(name, cls="")`` gives an ``<svg class="tt-icon cls">`` 24x24, drawn in
``currentColor`` (lines 2 px wide; parts marked ``class="fill"`` are filled), sized
by CSS (``.tt-icon``). Self-contained: it needs no stylesheet. An unknown name gives
"". The top bar, the overview and every dialog draw their icons from here.
"""

_P = '<path d="'
_E = '"/>'

ICONS = {
    "menu": _P + "M4 6.5h16M4 12h16M4 17.5h16" + _E,
    "play": '<path class="fill" d="M8 5.5v13l10.5-6.5z"/>',
    "stop": '<rect class="fill" x="6.5" y="6.5" width="11" height="11" rx="1.5"/>',
    "up": _P + "M6 15l6-6 6 6" + _E,
    "down": _P + "M6 9l6 6 6-6" + _E,
    "zoomin": '<circle cx="10.5" cy="10.5" r="6"/>'
    + _P
    + "M15 15l5 5M8 10.5h5M10.5 8v5"
    + _E,
    "zoomout": '<circle cx="10.5" cy="10.5" r="6"/>' + _P + "M15 15l5 5M8 10.5h5" + _E,
    "calendar": '<rect x="4" y="5.5" width="16" height="14.5" rx="2"/>'
    + _P
    + "M4 10h16M8.5 3.5v4M15.5 3.5v4"
    + _E,
    "report": _P + "M7 3.5h7l4 4V20.5H7z M14 3.5v4h4 M10 12h5M10 16h5" + _E,
    "help": '<circle cx="12" cy="12" r="8.5"/>'
    + _P
    + "M9.6 9.6a2.5 2.5 0 1 1 3.4 2.3c-.7.3-1 .8-1 1.5v.6"
    + _E
    + '<circle class="fill" cx="12" cy="16.9" r="1.1"/>',
    "check": _P + "M6 12.5l4 4 8-9" + _E,
    "plus": _P + "M12 6v12M6 12h12" + _E,
    "sync": _P
    + "M18.5 9a7 7 0 0 0-12.6-.9M5.5 15a7 7 0 0 0 12.6.9M18.8 4.5V9h-4.5M5.2 19.5V15h4.5"
    + _E,
    "warning": _P
    + "M12 4.5l8.5 15h-17z M12 10v4"
    + _E
    + '<circle class="fill" cx="12" cy="16.8" r="1"/>',
    "error": _P + "M12 6.5v7" + _E + '<circle class="fill" cx="12" cy="17.2" r="1.2"/>',
    "idle": _P
    + "M4 10a11.5 11.5 0 0 1 16 0M7 13.3a7.2 7.2 0 0 1 10 0M9.8 16.4a3 3 0 0 1 4.4 0"
    + _E
    + '<circle class="fill" cx="12" cy="19" r="1.1"/>',
    "tag": _P
    + "M4 4.5h7.5l8.5 8.5-7 7-9-9z"
    + _E
    + '<circle cx="8.3" cy="8.8" r="1.3"/>',
    "tags": _P
    + "M3 6h6.5l7.5 7.5-6 6-8-8z M12 6h2l7.5 7.5-6 6"
    + _E
    + '<circle cx="6.8" cy="9.8" r="1.2"/>',
    "back": _P + "M19 12H6M11 6.5L5.5 12l5.5 5.5" + _E,
    "login": _P + "M10 5H5.5v14H10M14 8l4 4-4 4M18 12H9" + _E,
    "book": _P
    + "M4 5C7 4 10 4 12 6C14 4 17 4 20 5V19C17 18 14 18 12 20C10 18 7 18 4 19ZM12 6V20"
    + _E,
    "chevron": _P + "M7 10L12 15L17 10" + _E,
    "clock": _P + "M12 3A9 9 0 1 0 12 21A9 9 0 1 0 12 3ZM12 7V12L15 15" + _E,
    "close": _P + "M6 6L18 18M18 6L6 18" + _E,
    "copy": _P + "M9 9H20V20H9ZM5 15H4V4H15V5" + _E,
    "download": _P + "M12 3V15M7 10L12 15L17 10M4 21H20" + _E,
    "export": _P + "M12 4V15M7 10L12 15L17 10M5 20H19" + _E,
    "file": _P + "M6 3H14L19 8V21H6ZM14 3V8H19M9 13H16M9 17H16" + _E,
    "home": _P + "M4 11L12 4L20 11M6 10V20H18V10" + _E,
    "hourglass": _P + "M7 3H17M7 21H17M8 3V5L12 12L8 19V21M16 3V5L12 12L16 19V21" + _E,
    "import": _P + "M12 15V4M7 9L12 4L17 9M5 20H19" + _E,
    "info": _P + "M12 3A9 9 0 1 0 12 21A9 9 0 1 0 12 3ZM12 11V17M12 7.5V8" + _E,
    "keyboard": _P + "M3 6H21V18H3ZM7 10H7.01M11 10H11.01M15 10H15.01M7 14H17" + _E,
    "logout": _P + "M14 17L19 12L14 7M19 12H8M10 4H5V20H10" + _E,
    "pencil": _P + "M4 20V16L15 5L19 9L8 20ZM13 7L17 11" + _E,
    "resume": _P + "M4.5 13A8 8 0 1 0 7 6.3M4 3V8H9" + _E,
    "search": _P + "M10.5 4.5A6 6 0 1 0 10.5 16.5A6 6 0 1 0 10.5 4.5ZM15 15L20 20" + _E,
    "settings": _P + "M4 7H11M15 7H20M4 17H7M11 17H20M13 5V9M9 15V19" + _E,
    "spinner": _P + "M12 3A9 9 0 1 1 3 12" + _E,
    "stopwatch": _P
    + "M12 6A7.5 7.5 0 1 0 12 21A7.5 7.5 0 1 0 12 6ZM12 10V13.5M10 2.5H14"
    + "M18 6.5L19.5 5"
    + _E,
    "gift": _P
    + "M4 10H20V21H4ZM3 7H21V10H3ZM12 7V21M12 7C10 3 7 3 7 5S9 7 12 7"
    + "C14 3 17 3 17 5S15 7 12 7"
    + _E,
    "updown": _P + "M12 3V21M6 8L12 2.5L18 8M6 16L12 21.5L18 16" + _E,
    "table": _P + "M4 5H20V19H4ZM4 10H20M4 14.5H20M10 5V19" + _E,
    "trash": _P + "M5 7H19M10 4H14M7 7L8 20H16L17 7M10 11V17M14 11V17" + _E,
    "user": _P
    + "M12 4A4 4 0 1 0 12 12A4 4 0 1 0 12 4ZM4 21C4 17 8 15 12 15S20 17 20 21"
    + _E,
}


def icon(name, cls=""):
    """An inline SVG icon (see the module docstring)."""
    body = ICONS[name]
    if not body:
        return ""
    body = body.split('class="fill"').join('fill="currentColor" stroke="none"')
    return (
        '<svg class="tt-icon'
        + (" " + cls if cls else "")
        + '" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none"'
        + ' stroke="currentColor" stroke-width="2" stroke-linecap="round"'
        + ' stroke-linejoin="round">'
        + body
        + "</svg>"
    )
