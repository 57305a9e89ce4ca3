"""The range index of the record store (SY-21): which records overlap a window, and
how many seconds each tag combination has inside it, fast for 100,000 records.

Time is cut into level-0 bins of 2**16 s (about 18 hours). Each level-0 bin keeps the
set of finished records that overlap it. Level L (0..10) keeps, per bin of 2**(16+L)
seconds, the seconds per tagz of the records inside that bin (a record's part in each
bin it overlaps). A stats query over a window adds up O(log n) aligned bins (the
standard segment decomposition), plus the records of the two partial edge bins clipped
to the window; above the top level (about two years per bin) the few non-empty bins are
summed directly. A record query visits the level-0 bins of the window.

Only finished, visible records go in: hidden ones are excluded and running ones
(``t1 == t2``) are handled by the store, as their length grows with the clock. Times
are whole seconds, so the per-bin sums are exact. Pure logic, no DOM.
"""

from pscript import window

BIN_POWER = 16
LEVELS = 11


def _list(iterable):
    """An array of what a Map/Set iterator gives (``Array.from``)."""
    return window.Array["from"](iterable)


def _is_empty(ob):
    for key in ob:  # noqa: B007
        return False
    return True


class RecordIndex:
    def __init__(self):
        self._sizes = [window.Math.pow(2, BIN_POWER + i) for i in range(LEVELS)]
        self.clear()

    def clear(self):
        self._bins = window.Map()  # level-0 bin -> Set of records
        self._levels = [window.Map() for i in range(LEVELS)]  # bin -> {tagz: s}
        self.count = 0

    def add(self, record, tagz):
        """Index a finished record (``t2 > t1``) under its tag combination."""
        if record.t2 > record.t1:
            self._update(record, tagz, 1)
            self.count += 1

    def remove(self, record, tagz):
        """Remove a record that was added (the same object and tagz)."""
        if record.t2 > record.t1:
            self._update(record, tagz, -1)
            self.count -= 1

    def _update(self, record, tagz, sign):
        Math = window.Math
        t1 = record.t1
        t2 = record.t2
        for level_index in range(LEVELS):
            size = self._sizes[level_index]
            level = self._levels[level_index]
            b = Math.floor(t1 / size)
            last = Math.ceil(t2 / size) - 1
            while b <= last:
                d = Math.min(t2, (b + 1) * size) - Math.max(t1, b * size)
                node = level["get"](b)  # not .get(): PScript would wrap the call
                if sign > 0:
                    if node is undefined:
                        node = {}
                        level["set"](b, node)
                    value = node[tagz]
                    node[tagz] = (0 if value is undefined else value) + d
                elif node is not undefined:
                    value = node[tagz]
                    value = (0 if value is undefined else value) - d
                    if value > 0:
                        node[tagz] = value
                    else:
                        del node[tagz]
                        if _is_empty(node):
                            level.delete(b)
                if level_index == 0:
                    members = self._bins["get"](b)
                    if sign > 0:
                        if members is undefined:
                            members = window.Set()
                            self._bins["set"](b, members)
                        members.add(record)
                    elif members is not undefined:
                        members.delete(record)
                        if members.size == 0:
                            self._bins.delete(b)
                b += 1

    def records_in(self, t1, t2):
        """The indexed records (not copies) with ``r.t1 < t2 and r.t2 > t1``."""
        Math = window.Math
        size = self._sizes[0]
        first = Math.floor(t1 / size)
        last = Math.max(first, Math.ceil(t2 / size) - 1)
        bins = []
        if last - first + 1 > self._bins.size:
            # A window wider than the data: visit the non-empty bins instead.
            for b in _list(self._bins.keys()):
                if first <= b <= last:
                    bins.push(b)
        else:
            b = first
            while b <= last:
                bins.push(b)
                b += 1
        result = []
        for b in bins:
            members = self._bins["get"](b)
            if members is undefined:
                continue
            for record in _list(members):
                # A record in several bins is taken in the first one visited.
                if Math.max(first, Math.floor(record.t1 / size)) is not b:
                    continue
                if record.t1 < t2 and record.t2 > t1:
                    result.push(record)
        return result

    def stats_in(self, t1, t2, stats, tagz_of):
        """Add to ``stats`` ({tagz: seconds}) the seconds of indexed records inside
        the window. ``tagz_of(record)`` gives a record's tagz (for edge bins)."""
        if not t2 > t1:
            return stats
        Math = window.Math
        size = self._sizes[0]
        full1 = Math.ceil(t1 / size)
        full2 = Math.floor(t2 / size)
        if full1 >= full2:
            self._add_partial(t1, t2, stats, tagz_of)
            return stats
        if t1 < full1 * size:
            self._add_partial(t1, full1 * size, stats, tagz_of)
        if full2 * size < t2:
            self._add_partial(full2 * size, t2, stats, tagz_of)
        self._add_full(full1, full2, stats)
        return stats

    def _add_partial(self, t1, t2, stats, tagz_of):
        Math = window.Math
        for record in self.records_in(t1, t2):
            d = Math.min(record.t2, t2) - Math.max(record.t1, t1)
            if d > 0:
                tagz = tagz_of(record)
                stats[tagz] = (stats[tagz] or 0) + d

    def _add_full(self, lo, hi, stats):
        """Add level-0 bins ``lo <= b < hi`` using as few aggregated bins as possible."""
        level_index = 0
        while lo < hi and level_index < LEVELS - 1:
            level = self._levels[level_index]
            if lo & 1:
                _add_node(stats, level.get(lo))
                lo += 1
            if hi & 1:
                hi -= 1
                _add_node(stats, level.get(hi))
            lo = lo >> 1
            hi = hi >> 1
            level_index += 1
        if lo < hi:
            level = self._levels[LEVELS - 1]
            if hi - lo <= level.size:
                b = lo
                while b < hi:
                    _add_node(stats, level.get(b))
                    b += 1
            else:
                for b in _list(level.keys()):
                    if lo <= b < hi:
                        _add_node(stats, level.get(b))

    def depth(self):
        """Number of levels holding data (for tests and curiosity)."""
        n = 0
        for level in self._levels:
            if level.size > 0:
                n += 1
        return n

    def bin_count(self):
        return self._bins.size


def _add_node(stats, node):
    if node is undefined:
        return
    for tagz in node:
        stats[tagz] = (stats[tagz] or 0) + node[tagz]
