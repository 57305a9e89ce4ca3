"""Search queries (SK-02) and results (SK-03): parse a query into tags and words to
include or exclude, describe it, match records and sort the hits newest first. The
search dialog renders from these. Pure logic: no DOM, no store.

Query syntax: ``#tag`` (must have the tag), ``!#tag`` or ``! #tag`` (must not),
``word`` (the description must contain it), ``!word`` (must not). Case-insensitive;
``#untagged`` matches records without tags.
"""

from . import tags


def parse_query(text):
    """``{include_tags, exclude_tags, include_words, exclude_words}`` of a query.
    The query is lower-cased and split like a description (TG-02); a ``!`` word right
    before a tag excludes that tag."""
    query = {
        "include_tags": [],
        "exclude_tags": [],
        "include_words": [],
        "exclude_words": [],
    }
    parts = tags.split_description(str(text or "").toLowerCase())[1]
    negate_next_tag = False
    for part in parts:
        if part.startswith("#"):
            target = query.exclude_tags if negate_next_tag else query.include_tags
            if target.indexOf(part) < 0:
                target.append(part)
            negate_next_tag = False
            continue
        words = [w for w in part.replace("\t", " ").split(" ") if w]
        negate_next_tag = False
        for i in range(len(words)):
            word = words[i]
            if word == "!":
                # A lone "!" only means something as the last word before a tag.
                negate_next_tag = i == len(words) - 1
                continue
            if word.startswith("!"):
                word = word[1:]
                while word.startswith("!"):
                    word = word[1:]
                if word and query.exclude_words.indexOf(word) < 0:
                    query.exclude_words.append(word)
            elif query.include_words.indexOf(word) < 0:
                query.include_words.append(word)
    return query


def has_rules(query):
    """Whether a parsed query has at least one rule (the Search button is enabled)."""
    return (
        len(query.include_tags)
        + len(query.exclude_tags)
        + len(query.include_words)
        + len(query.exclude_words)
        > 0
    )


def rule_groups(query):
    """The "Search rules" summary of a parsed query: ``[[label, kind, items]]``, one
    entry per kind of rule present, e.g. ``["Including tags", "tags", ["#a", "#b"]]``
    or ``["Excluding word", "words", ["crash"]]`` (the search dialog shows them)."""
    groups = []
    kinds = [
        ["include_tags", "Including", "tag"],
        ["exclude_tags", "Excluding", "tag"],
        ["include_words", "Including", "word"],
        ["exclude_words", "Excluding", "word"],
    ]
    for kind in kinds:
        items = query[kind[0]]
        if len(items) == 0:
            continue
        noun = kind[2] + ("s" if len(items) > 1 else "")
        groups.append([kind[1] + " " + noun, kind[2] + "s", list(items)])
    return groups


def matches(record, query):
    """Whether a (non-hidden) record satisfies every rule of a parsed query."""
    ds = record.ds or ""
    if ds.startswith("HIDDEN"):
        return False
    record_tags = tags.get_tagz(ds).split(" ")
    for tag in query.include_tags:
        if record_tags.indexOf(tag) < 0:
            return False
    for tag in query.exclude_tags:
        if record_tags.indexOf(tag) >= 0:
            return False
    text = ds.toLowerCase()
    for word in query.include_words:
        if text.indexOf(word) < 0:
            return False
    for word in query.exclude_words:
        if text.indexOf(word) >= 0:
            return False
    return True


def search(records, query):
    """The records matching a query (text or parsed), newest start first (SK-03).
    Hidden records never match; a query without rules matches nothing."""
    if isinstance(query, str):
        query = parse_query(query)
    if not has_rules(query):
        return []
    hits = [r for r in records or [] if r and matches(r, query)]

    def cmp(a, b):
        if a.t1 != b.t1:
            return b.t1 - a.t1
        if a.key < b.key:
            return -1
        return 1 if a.key > b.key else 0

    window.Array.prototype.sort.call(hits, cmp)
    return hits
