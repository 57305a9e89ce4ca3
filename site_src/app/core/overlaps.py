"""Records that overlap another record (time counted twice), and the fix.

Two records overlap when each starts before the other ends (touching ends do not
count); a running record ends at ``now``. The timeline marks such records and the
record dialog names the others, with a one-click fix: the earlier record (the one
that starts first) ends where the later begins. Records that start at the same moment
have no such fix (the earlier would become empty). Pure: records and ``now`` are
passed in; hidden (deleted) records never overlap.
"""


def record_end(record, now):
    """Where a record ends: ``t2``, or ``now`` while it runs (never before t1)."""
    if record.t1 == record.t2:
        return max(now, record.t1)
    return record.t2


def _visible(record):
    return record and not str(record.ds or "").startswith("HIDDEN")


def do_overlap(a, b, now):
    """Whether records ``a`` and ``b`` (different keys) overlap."""
    if a.key == b.key or not _visible(a) or not _visible(b):
        return False
    return a.t1 < record_end(b, now) and b.t1 < record_end(a, now)


def overlapping_keys(records, now):
    """``{key: True}`` for every record of ``records`` that overlaps another one of
    them (one sweep in start order, so a screenful costs next to nothing)."""
    items = [r for r in records if _visible(r)]
    items.sort(key=lambda r: r.t1)
    result = {}
    active = []  # records started so far that have not ended yet
    for record in items:
        t1 = record.t1
        still = []
        for other in active:
            if record_end(other, now) > t1:
                still.append(other)
        active = still
        for other in active:
            if other.key != record.key:
                result[other.key] = True
                result[record.key] = True
        active.append(record)
    return result


def overlaps_with(record, records, now):
    """The records of ``records`` that overlap ``record``, in start order."""
    found = [r for r in records if do_overlap(record, r, now)]
    found.sort(key=lambda r: r.t1)
    return found


def fix_for(a, b):
    """The fix for overlapping records ``a`` and ``b``: ``{key, t1, t2, earlier}``
    (the earlier record's key, its start, its new end = the later record's start,
    and the earlier record itself), or None when both start at the same moment."""
    if a.t1 == b.t1:
        return None
    earlier = a if a.t1 < b.t1 else b
    later = b if earlier is a else a
    return {"key": earlier.key, "t1": earlier.t1, "t2": later.t1, "earlier": earlier}
