"""Tags in descriptions: syntax, normalisation and the tag-combination key.

A tag is ``#`` followed by one or more tag characters: digits, ASCII letters, ``-``,
``/``, ``_`` and any character above code point 127 (TG-01). Descriptions are stored
normalised (TG-02): tags lower-cased, glued tags (``#a#b``) separated by a space, stray
``#`` characters replaced by a space, trailing whitespace removed. A record's *tagz* is
its sorted tags joined by spaces, or ``#untagged`` (TG-03, TG-04). ``text_to_tag`` turns
arbitrary text into a valid tag, as imports need (TG-05). Pure logic: no DOM.
"""

UNTAGGED = "#untagged"
MAX_TEXT = 255  # the server rejects strings of 256 characters and more (quirk 2)


def is_tag_char(c):
    """Whether the character may appear in a tag (after the ``#``)."""
    if not c:
        return False
    code = c.charCodeAt(0)
    if code > 127:
        return True
    if 48 <= code <= 57 or 65 <= code <= 90 or 97 <= code <= 122:
        return True
    return c == "-" or c == "/" or c == "_"


def to_str(value, maxlen=MAX_TEXT):
    """Client-side string normalisation (DM0-4): a string without carriage returns,
    with newlines and tabs as spaces, no leading spaces or double quotes, at most
    ``maxlen`` characters."""
    if value is None:
        value = ""
    s = str(value)
    s = s.replace("\r", "").replace("\n", " ").replace("\t", " ")
    i = 0
    while i < len(s) and (s[i] == " " or s[i] == '"'):
        i += 1
    s = s[i:]
    if len(s) > maxlen:
        s = s[:maxlen]
    return s


def split_description(text):
    """Split a description into its tags and its normalised parts.

    Returns ``[tags, parts]``: ``tags`` is the sorted list of distinct lower-case tags;
    ``parts`` are strings that, joined, give the normalised description. Each part is
    a tag, a piece of plain text, or a single space standing in for a stray ``#`` or
    separating glued tags.
    """
    text = text or ""
    parts = []
    kinds = []  # "tag", "text" or "space" per part
    found = {}
    buf = ""
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c != "#":
            buf += c
            i += 1
            continue
        if buf:
            parts.append(buf)
            kinds.append("text")
            buf = ""
        j = i + 1
        while j < n and is_tag_char(text[j]):
            j += 1
        if j > i + 1:
            tag = text[i:j].toLowerCase()
            if len(kinds) > 0 and kinds[-1] == "tag":
                parts.append(" ")
                kinds.append("space")
            parts.append(tag)
            kinds.append("tag")
            found[tag] = True
        else:
            parts.append(" ")  # a stray '#' becomes a space
            kinds.append("space")
        i = j
    if buf:
        parts.append(buf)
        kinds.append("text")
    # The last text part is right-trimmed, and dropped when nothing is left.
    if len(parts) > 0 and kinds[-1] == "text":
        last = parts[-1].rstrip()
        if last:
            parts[-1] = last
        else:
            parts.pop(-1)
            kinds.pop(-1)
    tags = Object.keys(found)
    tags.sort()
    return [tags, parts]


def get_tags(text):
    """The sorted distinct lower-case tags of a description."""
    return split_description(text)[0]


def get_tagz(text):
    """The tag-combination key of a description: sorted tags joined by spaces, or
    ``#untagged`` when there are none."""
    tags = get_tags(text)
    if len(tags) == 0:
        return UNTAGGED
    return " ".join(tags)


def normalize_description(text):
    """The stored form of a description: DM0-4 string normalisation, then tags
    lower-cased, glued tags separated, stray ``#`` removed, trailing space trimmed."""
    return "".join(split_description(to_str(text))[1])


def text_to_tag(text):
    """Make a valid tag from arbitrary text (TG-05): keep tag characters (and their
    case), turn each run of other characters into one ``-``, drop leading invalid
    characters; results shorter than 3 characters (``#`` plus 2) are empty."""
    text = str(text or "")
    while text.startswith("#"):
        text = text[1:]
    out = ""
    pending_dash = False
    for c in text:
        if is_tag_char(c):
            if pending_dash and out:
                out += "-"
            pending_dash = False
            out += c
        else:
            pending_dash = True
    if pending_dash and out:
        out += "-"
    if len(out) < 2:
        return ""
    return "#" + out


def has_all_tags(record_tags, required):
    """Whether a list of tags contains every tag in ``required``."""
    for tag in required:
        if tag not in record_tags:
            return False
    return True
