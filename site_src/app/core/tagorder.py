"""Display order of tags inside tag combinations (TG-13) and the grouping sort of
combinations (TG-14), as used by the overview panel and the report.

``better_tag_order`` orders the tags of every combination so that related
combinations share their leading tags (``#client1 #code``, ``#client1 #design``, ...).
``grouping_sort`` then sorts the ordered combinations so that rows with a common
prefix stay together, ordered by the prefix's total duration.

Tag priorities (TG-08: 1 = primary, 2 = secondary) are passed in as a function
``tag -> priority`` or a dict, so this module stays pure (no DOM, no store).
"""

_SELECTION_BONUS = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]


def _native_sort(arr, cmp):
    """Stable in-place sort with a JS comparator (PScript's list.sort takes a key)."""
    window.Array.prototype.sort.call(arr, cmp)
    return arr


def _is_function(x):
    return Object.prototype.toString.call(x) == "[object Function]"


def _priority_getter(priorities):
    """A function tag -> priority (1 when unknown, 0 or missing counts as 1)."""
    if not priorities:
        return lambda tag: 1
    if _is_function(priorities):
        return lambda tag: priorities(tag) or 1
    return lambda tag: priorities[tag] or 1


def _split_tagz(tagz):
    tags = []
    for tag in str(tagz).split(" "):
        if tag and tags.indexOf(tag) < 0:
            tags.append(tag)
    return tags


def better_tag_order(stats, selected_tags=None, remove_selected=False, priorities=None):
    """Order the tags of each combination in ``stats`` (``{tagz: seconds}``).

    Returns ``{tagz: [tags in display order]}``; the insertion order of the keys is
    the processing order (most important combinations first). With
    ``selected_tags``, only combinations containing all of them are included, the
    selected tags come first (in selection order) and, with ``remove_selected``,
    they are left out of the ordered lists (which can then be empty).

    Scores per tag: (1) its total duration; (2) a co-occurrence score: every tag
    hands 1/(number of combinations it is in) to each tag it appears with; (3) minus
    its priority (at most 10), plus 100, 90, 80, ... for the selected tags.
    Combinations are processed in descending order of their summed scores (3, then
    2, then 1; ties keep the input order). Within a combination the tags are placed
    position by position, taking the tag with the most "position votes" (+1 for each
    earlier combination that put it at this position, -1/n for each that put it
    elsewhere, n being that combination's size), then the highest scores 3, 2, 1;
    ties keep the order of the tags in the key.
    """
    selected = []
    for tag in selected_tags or []:
        if tag and selected.indexOf(tag) < 0:
            selected.append(tag)
    get_priority = _priority_getter(priorities)

    # The combinations to order, as tag lists.
    combos = []
    for tagz in stats.keys():
        tags = _split_tagz(tagz)
        ok = True
        for tag in selected:
            if tags.indexOf(tag) < 0:
                ok = False
                break
        if ok:
            combos.append({"tagz": tagz, "tags": tags, "duration": stats[tagz] or 0})

    # Per-tag scores.
    score1 = {}
    score2 = {}
    score3 = {}
    count = {}
    for combo in combos:
        for tag in combo.tags:
            score1[tag] = (score1[tag] or 0) + combo.duration
            count[tag] = (count[tag] or 0) + 1
    for tag in score1.keys():
        score2[tag] = 0
        score3[tag] = -min(get_priority(tag), 10)
    for combo in combos:
        for giver in combo.tags:
            share = 1 / count[giver]
            for tag in combo.tags:
                if tag != giver:
                    score2[tag] += share
    for i in range(len(selected)):
        if score3[selected[i]] is not undefined:
            score3[selected[i]] += _SELECTION_BONUS[min(i, 9)]

    # Processing order of the combinations.
    for i in range(len(combos)):
        combo = combos[i]
        combo.index = i
        s1 = s2 = s3 = 0
        for tag in combo.tags:
            s1 += score1[tag]
            s2 += score2[tag]
            s3 += score3[tag]
        combo.s1 = s1
        combo.s2 = s2
        combo.s3 = s3

    def cmp_combos(a, b):
        if a.s3 != b.s3:
            return b.s3 - a.s3
        if a.s2 != b.s2:
            return b.s2 - a.s2
        if a.s1 != b.s1:
            return b.s1 - a.s1
        return a.index - b.index

    _native_sort(combos, cmp_combos)

    # Greedy placement with position votes.
    votes = {}  # tag -> {position: votes}
    result = {}
    for combo in combos:
        remaining = combo.tags.slice()
        ordered = []
        depth = len(combo.tags)
        for pos in range(depth):
            best = -1
            best_key = None
            for j in range(len(remaining)):
                tag = remaining[j]
                tag_votes = votes[tag]
                v = (tag_votes[pos] or 0) if tag_votes else 0
                key = [v, score3[tag], score2[tag], score1[tag]]
                if best < 0 or _key_greater(key, best_key):
                    best = j
                    best_key = key
            ordered.append(remaining[best])
            remaining.splice(best, 1)
        for pos in range(depth):
            tag = ordered[pos]
            if not votes[tag]:
                votes[tag] = {}
            tag_votes = votes[tag]
            for p in range(depth):
                if p == pos:
                    tag_votes[p] = (tag_votes[p] or 0) + 1
                else:
                    tag_votes[p] = (tag_votes[p] or 0) - 1 / depth
        if remove_selected:
            ordered = [tag for tag in ordered if selected.indexOf(tag) < 0]
        result[combo.tagz] = ordered
    return result


def _key_greater(a, b):
    """Whether score list ``a`` beats ``b`` (compared element by element)."""
    for i in range(len(a)):
        if a[i] > b[i]:
            return True
        if a[i] < b[i]:
            return False
    return False


def grouping_sort(groups):
    """Sort groups for display (TG-14). ``groups`` is a list of objects with ``tags``
    (an ordered tag list, e.g. from ``better_tag_order``) and ``duration``.

    Two groups compare at the first position where their tag lists differ: the one
    whose prefix up to and including that position has the larger total duration
    (summed over all groups sharing that prefix) comes first; equal totals fall back
    to alphabetical order of the joined tags. Where a group has no tag left (its
    tags are a prefix of the other's, or empty), the total of its own full prefix
    stands in, so a parent row comes before its children. Returns a new sorted list.
    """
    totals = {}
    keys = []
    for group in groups:
        prefix = ""
        prefixes = []
        for tag in group.tags:
            prefix = prefix + " " + tag
            prefixes.append(prefix)
            totals[prefix] = (totals[prefix] or 0) + (group.duration or 0)
        keys.append(prefixes)
    items = []
    for i in range(len(groups)):
        items.append(
            {"group": groups[i], "prefixes": keys[i], "text": " ".join(groups[i].tags)}
        )

    def prefix_total(item, pos):
        if pos < len(item.prefixes):
            return totals[item.prefixes[pos]]
        # No tag at this position: the group's own total stands for it.
        if len(item.prefixes) == 0:
            return item.group.duration or 0
        return totals[item.prefixes[-1]]

    def cmp_items(a, b):
        ta = a.group.tags
        tb = b.group.tags
        n = max(len(ta), len(tb))
        for pos in range(n):
            if pos < len(ta) and pos < len(tb) and ta[pos] == tb[pos]:
                continue
            da = prefix_total(a, pos)
            db = prefix_total(b, pos)
            if da != db:
                return db - da
            break
        if a.text < b.text:
            return -1
        if a.text > b.text:
            return 1
        return 0

    _native_sort(items, cmp_items)
    return [item.group for item in items]
