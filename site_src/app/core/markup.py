"""Markup from data: the one HTML escaper, the one element helper, tags as HTML.

Text from records and settings (descriptions, tag names, user names, server
messages) reaches the page only through ``escape`` or ``textContent``; colours only
through ``taginfo.get_tag_color``, which returns nothing but colours (the tag helpers
take another such function, e.g. the shared page's colours from the share's
taginfo, and escape what it returns all the same). ``escape``
escapes ``& < > " '``, so its result is safe as element content and inside any quoted
attribute value. ``el(tag, cls, html)`` makes an element; its ``html`` must be markup
built by our code (escaped where it holds data). DOM only inside functions.
"""

from pscript import window

from . import taginfo, tags


def escape(text):
    """Text made safe to put in HTML (element content and quoted attributes)."""
    s = str(text if text is not None and text is not undefined else "")
    s = s.split("&").join("&amp;").split("<").join("&lt;").split(">").join("&gt;")
    return s.split('"').join("&quot;").split("'").join("&#39;")


def el(tag, cls="", html=""):
    """A new element ``<tag class="cls">`` with the given inner markup."""
    node = window.document.createElement(tag)
    if cls:
        node.className = cls
    if html:
        node.innerHTML = html
    return node


def query_all(node, selector):
    """``querySelectorAll`` as a real array (PScript's ``for`` needs arrays)."""
    return window.Array.prototype.slice.call(node.querySelectorAll(selector))


def hash_html(tag, color_of=None):
    """The ``#`` of a tag in the tag's colour (``color_of(tag)``, by default the
    user's: ``taginfo.get_tag_color``)."""
    color = color_of(tag) if color_of else taginfo.get_tag_color(tag)
    return '<b class="tt-hash" style="color:' + escape(color) + '">#</b>'


def tag_html(tag, color_of=None):
    """A tag as HTML: its ``#`` in the tag colour, then its name."""
    name = tag[1:] if tag.startswith("#") else tag
    return '<span class="tt-tag">' + hash_html(tag, color_of) + escape(name) + "</span>"


def description_html(ds, color_of=None):
    """A description as HTML, its tags with coloured ``#``."""
    parts = tags.split_description(ds or "")[1]
    html = ""
    for part in parts:
        if part.startswith("#"):
            html += tag_html(part, color_of)
        else:
            html += escape(part)
    return html
