"""Reading the rows of a damaged user database without SQLite: the page-level salvage
behind ``python -m timetagger repair``.

SQLite refuses a query as soon as it meets a malformed page, and a damaged interior
page hides every page below it. This module reads the file (and the committed frames
of its WAL) page by page, as the file format describes it, and keeps every row it can
decode:

1. The page images: the database file, overlaid with the last committed version of
   each page in ``<file>-wal`` (frames checked by salt and checksum, as SQLite does).
2. The schema from ``sqlite_master`` (page 1), for the root page of each table and
   index. The tables are itemdb's ``WITHOUT ROWID`` tables, so they are index
   b-trees whose rows (``key, _ob, st[, t1, t2]``) sit in interior and leaf pages.
3. Each table's tree is walked from its root; a page that does not parse is counted
   as damaged and skipped, its siblings are still read.
4. Pages that no walk reached (below a damaged page, or with no schema at all) and that
   are not on the freelist are scanned as orphans: rows of the right shape are kept
   when their key was not found in the walk (the newest ``st`` wins among orphans).
5. The ``st`` indices name the keys each table should hold, so the keys that could not
   be saved are known (as far as those indices are readable).

A row is kept only when its ``_ob`` is a JSON object whose ``key`` is the row's key;
the JSON text is kept byte for byte.
"""

import json
import struct

TABLES = ("records", "settings", "userinfo")
USERINFO_KEYS = {"reset_time", "webtoken_seed", "apitoken_seed"}
HEADER_MAGIC = b"SQLite format 3\x00"
WAL_MAGIC = (0x377F0682, 0x377F0683)
MAX_OVERFLOW_PAGES = 100_000  # a longer chain is a loop through damaged pages


class PageError(Exception):
    """A page or a cell that does not parse."""


# %% Low-level decoding


def varint(buf, pos):
    """(value, next position) of the SQLite varint at ``pos``."""
    value = 0
    for i in range(8):
        if pos + i >= len(buf):
            raise PageError("varint runs past the end of the page")
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    if pos + 8 >= len(buf):
        raise PageError("varint runs past the end of the page")
    return (value << 8) | buf[pos + 8], pos + 9


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def decode_record(payload):
    """The column values of a record (SQLite's record format)."""
    header_size, pos = varint(payload, 0)
    if header_size < 1 or header_size > len(payload):
        raise PageError("record header size out of range")
    types = []
    while pos < header_size:
        serial, pos = varint(payload, pos)
        types.append(serial)
    if pos != header_size:
        raise PageError("record header overruns its size")
    values = []
    for serial in types:
        if serial == 0:
            values.append(None)
        elif serial in _INT_SIZES:
            size = _INT_SIZES[serial]
            chunk = payload[pos : pos + size]
            if len(chunk) != size:
                raise PageError("record value runs past the payload")
            values.append(int.from_bytes(chunk, "big", signed=True))
            pos += size
        elif serial == 7:
            chunk = payload[pos : pos + 8]
            if len(chunk) != 8:
                raise PageError("record value runs past the payload")
            values.append(struct.unpack(">d", chunk)[0])
            pos += 8
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial >= 12:
            size = (serial - 12) // 2
            chunk = bytes(payload[pos : pos + size])
            if len(chunk) != size:
                raise PageError("record value runs past the payload")
            if serial % 2:
                try:
                    values.append(chunk.decode("utf-8"))
                except UnicodeDecodeError:
                    raise PageError("text that is not UTF-8") from None
            else:
                values.append(chunk)
            pos += size
        else:
            raise PageError(f"reserved serial type {serial}")
    return values


# %% The page images: file plus committed WAL frames


def wal_checksum(data, big_endian, s0, s1):
    fmt = ">" if big_endian else "<"
    for x0, x1 in struct.iter_unpack(fmt + "II", data):
        s0 = (s0 + x0 + s1) & 0xFFFFFFFF
        s1 = (s1 + x1 + s0) & 0xFFFFFFFF
    return s0, s1


def read_wal(wal_filename, page_size):
    """({page number: page bytes} of the committed frames, db size in pages or None,
    a note when the WAL was ignored). ``page_size`` None: take the WAL's."""
    try:
        with open(wal_filename, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return {}, None, None
    if len(data) < 32:
        return {}, None, None
    magic, _version, wal_page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(
        ">8I", data[:32]
    )
    if magic not in WAL_MAGIC:
        return {}, None, "the WAL file has no valid header (ignored)"
    big = magic & 1
    if wal_page_size != page_size and page_size:
        return {}, None, "the WAL's page size differs from the file's (ignored)"
    page_size = wal_page_size
    s0, s1 = wal_checksum(data[:24], big, 0, 0)
    if (s0, s1) != (c1, c2):
        return {}, None, "the WAL header checksum is wrong (ignored)"
    pages, pending, size = {}, {}, None
    pos = 32
    frame = 24 + page_size
    while pos + frame <= len(data):
        pgno, commit, fs1, fs2, fc1, fc2 = struct.unpack(">6I", data[pos : pos + 24])
        if (fs1, fs2) != (salt1, salt2):
            break  # a frame of an earlier generation of the WAL
        body = data[pos + 24 : pos + frame]
        s0, s1 = wal_checksum(data[pos : pos + 8], big, s0, s1)
        s0, s1 = wal_checksum(body, big, s0, s1)
        if (s0, s1) != (fc1, fc2):
            break
        pending[pgno] = body
        if commit:
            pages.update(pending)
            pending.clear()
            size = commit
        pos += frame
    return pages, size, None


class PageSource:
    """The pages of a database file as SQLite would see them after its WAL."""

    def __init__(self, filename):
        with open(filename, "rb") as f:
            self.data = f.read()
        self.notes = []
        header = self.data[:100]
        if header[:16] == HEADER_MAGIC:
            raw = struct.unpack(">H", header[16:18])[0]
            self.page_size = 65536 if raw == 1 else raw
            self.reserved = header[20]
            self.header_ok = self.page_size >= 512 and not (
                self.page_size & (self.page_size - 1)
            )
        else:
            self.header_ok = False
        if not self.header_ok:
            self.notes.append("the file header is damaged (assuming 4096-byte pages)")
            self.page_size, self.reserved = 4096, 0
        wal_pages, wal_size, note = read_wal(
            filename + "-wal", self.page_size if self.header_ok else None
        )
        if note:
            self.notes.append(note)
        if wal_pages and not self.header_ok:  # the WAL knows the page size
            self.page_size = len(next(iter(wal_pages.values())))
        self.wal_pages = wal_pages
        file_pages = len(self.data) // self.page_size
        if wal_size:
            self.npages = wal_size
        else:
            self.npages = file_pages
            if self.header_ok:
                in_header = struct.unpack(">I", header[28:32])[0]
                valid_for = struct.unpack(">I", header[92:96])[0]
                changes = struct.unpack(">I", header[24:28])[0]
                if in_header and valid_for == changes:
                    self.npages = min(in_header, max(file_pages, 1))
        if 1 in wal_pages and not self.header_ok:
            page1 = wal_pages[1]
            if page1[:16] == HEADER_MAGIC:
                self.header_ok = True
                self.notes.pop(0)
        self.usable = self.page_size - self.reserved

    def page(self, pgno):
        if pgno < 1 or pgno > self.npages:
            raise PageError(f"page number {pgno} is outside the file")
        if pgno in self.wal_pages:
            return self.wal_pages[pgno]
        start = (pgno - 1) * self.page_size
        page = self.data[start : start + self.page_size]
        if len(page) != self.page_size:
            raise PageError(f"page {pgno} is cut short")
        return page


# %% B-trees


class BTreeReader:
    """Parses b-tree pages and collects their cells' payloads."""

    def __init__(self, source):
        self.source = source
        self.visited = set()  # pages reached as tree or overflow pages
        self.damaged = set()  # pages that did not parse
        self.bad_cells = 0

    def parse_page(self, pgno):
        """(page type, [cell payloads as bytes], [child page numbers])."""
        page = self.source.page(pgno)
        offset = 100 if pgno == 1 else 0
        kind = page[offset]
        if kind not in (2, 5, 10, 13):
            raise PageError(f"page {pgno} is not a b-tree page (type {kind})")
        ncells = struct.unpack(">H", page[offset + 3 : offset + 5])[0]
        interior = kind in (2, 5)
        head = offset + (12 if interior else 8)
        if head + 2 * ncells > self.source.usable:
            raise PageError(f"page {pgno} claims more cells than fit")
        children = []
        if interior:
            children.append(struct.unpack(">I", page[offset + 8 : offset + 12])[0])
        payloads = []
        for i in range(ncells):
            (ptr,) = struct.unpack(">H", page[head + 2 * i : head + 2 * i + 2])
            if ptr < head + 2 * ncells or ptr >= self.source.usable:
                self.bad_cells += 1
                continue
            try:
                child, payload = self.parse_cell(page, ptr, kind)
            except PageError:
                self.bad_cells += 1
                continue
            if child is not None:
                children.append(child)
            if payload is not None:
                payloads.append(payload)
        return kind, payloads, children

    def parse_cell(self, page, ptr, kind):
        usable = self.source.usable
        child = None
        pos = ptr
        if kind in (2, 5):
            child = struct.unpack(">I", page[pos : pos + 4])[0]
            pos += 4
            if kind == 5:
                return child, None  # table interior: a rowid, no payload
        size, pos = varint(page, pos)
        if kind == 13:
            _rowid, pos = varint(page, pos)
            max_local = usable - 35
        else:
            max_local = ((usable - 12) * 64 // 255) - 23
        min_local = ((usable - 12) * 32 // 255) - 23
        if size <= max_local:
            local = size
        else:
            k = min_local + ((size - min_local) % (usable - 4))
            local = k if k <= max_local else min_local
        if pos + local > usable:
            raise PageError("cell runs past the end of the page")
        payload = bytearray(page[pos : pos + local])
        if local < size:
            (nxt,) = struct.unpack(">I", page[pos + local : pos + local + 4])
            hops = 0
            while len(payload) < size:
                hops += 1
                if nxt == 0 or hops > MAX_OVERFLOW_PAGES:
                    raise PageError("overflow chain ends early")
                over = self.source.page(nxt)
                self.visited.add(nxt)
                payload += over[4:usable][: size - len(payload)]
                (nxt,) = struct.unpack(">I", over[:4])
        return child, bytes(payload)

    def walk(self, root):
        """Every payload in the tree under ``root`` that parses."""
        payloads = []
        stack = [root]
        seen = set()
        while stack:
            pgno = stack.pop()
            if pgno in seen:
                continue
            seen.add(pgno)
            try:
                _, cells, children = self.parse_page(pgno)
            except PageError:
                self.damaged.add(pgno)
                continue
            self.visited.add(pgno)
            payloads.extend(cells)
            stack.extend(reversed(children))
        return payloads


def freelist_pages(source):
    """Pages on the freelist (as far as its trunk pages are readable)."""
    pages = set()
    try:
        page1 = source.page(1)
    except PageError:
        return pages
    trunk = struct.unpack(">I", page1[32:36])[0]
    seen = set()
    while trunk and trunk not in seen:
        seen.add(trunk)
        try:
            page = source.page(trunk)
        except PageError:
            break
        pages.add(trunk)
        nxt, count = struct.unpack(">II", page[:8])
        if count > (source.usable - 8) // 4:
            break
        for i in range(count):
            pages.add(struct.unpack(">I", page[8 + 4 * i : 12 + 4 * i])[0])
        trunk = nxt
    return pages


# %% Rows


def as_row(values):
    """(key, ob_text, ob) when the values are a row of an itemdb table, else None."""
    if len(values) < 2 or not isinstance(values[0], str):
        return None
    key, text = values[0], values[1]
    if not isinstance(text, str):
        return None
    try:
        ob = json.loads(text)
    except ValueError:
        return None
    if not isinstance(ob, dict) or ob.get("key") != key:
        return None
    return key, text, ob


def st_of(ob):
    st = ob.get("st")
    return st if isinstance(st, (int, float)) and not isinstance(st, bool) else 0


class Salvage:
    """What could be read from one file.

    ``rows[table]`` maps key -> JSON text; ``expected[table]`` is the set of keys the
    indices name (None when no index was readable; ``expected_complete[table]`` says
    whether the whole index was read); ``from_orphans[table]`` counts
    rows found outside the reachable trees; ``damaged_pages`` and ``bad_cells`` count
    what did not parse; ``notes`` are remarks on the header and the WAL.
    """

    def __init__(self):
        self.rows = {table: {} for table in TABLES}
        self.expected = {table: None for table in TABLES}
        self.expected_complete = {table: False for table in TABLES}
        self.from_orphans = {table: 0 for table in TABLES}
        self.damaged_pages = 0
        self.bad_cells = 0
        self.notes = []
        self.schema_ok = False

    def lost(self, table):
        """Keys the indices name that were not saved (None when unknown)."""
        if self.expected[table] is None:
            return None
        return sorted(self.expected[table] - set(self.rows[table]))


def read_schema(reader):
    """{name: (type, table name, root page)} from sqlite_master, or {} if unreadable."""
    schema = {}
    for payload in reader.walk(1):
        try:
            values = decode_record(payload)
        except PageError:
            reader.bad_cells += 1
            continue
        if len(values) >= 4 and isinstance(values[3], int) and values[3] > 0:
            kind, name, table = values[0], values[1], values[2]
            if isinstance(name, str):
                schema[name] = (kind, table, values[3])
    return schema


def salvage(filename, progress=None):
    """Read what can be read of the user database ``filename``: a ``Salvage``."""
    source = PageSource(filename)
    result = Salvage()
    result.notes.extend(source.notes)
    reader = BTreeReader(source)
    schema = read_schema(reader) if source.header_ok else {}
    result.schema_ok = all(
        schema.get(t, ("",))[0] == "table" for t in TABLES
    )  # the three tables are listed
    if not result.schema_ok:
        result.notes.append(
            "the schema (sqlite_master) is damaged: rows are told apart by their shape"
        )
    for table in TABLES:
        entry = schema.get(table)
        if entry is None or entry[0] != "table":
            continue
        for payload in reader.walk(entry[2]):
            try:
                row = as_row(decode_record(payload))
            except PageError:
                row = None
            if row is None:
                reader.bad_cells += 1
                continue
            result.rows[table][row[0]] = row[1]
        if progress:
            progress(table, len(result.rows[table]))
    # The st index of each table names the keys it should hold: (st, key) entries.
    for table in TABLES:
        entry = schema.get(f"idx_{table}_st")
        if entry is None or entry[1] != table:
            continue
        damaged_before = len(reader.damaged)
        keys = set()
        for payload in reader.walk(entry[2]):
            try:
                values = decode_record(payload)
            except PageError:
                continue
            if len(values) == 2 and isinstance(values[1], str):
                keys.add(values[1])
        if len(reader.damaged) == damaged_before or keys:
            result.expected[table] = keys | set(result.rows[table])
            result.expected_complete[table] = len(reader.damaged) == damaged_before
    # Orphans: pages below a damaged page, or everything when there is no schema.
    free = freelist_pages(source) if source.header_ok else set()
    candidates = {table: {} for table in TABLES}
    for pgno in range(1, source.npages + 1):
        if pgno in reader.visited or pgno in free or pgno in reader.damaged:
            continue
        try:
            kind, payloads, _ = reader.parse_page(pgno)
        except PageError:
            continue
        if kind not in (2, 10):
            continue
        for payload in payloads:
            try:
                values = decode_record(payload)
            except PageError:
                continue
            row = as_row(values)
            if row is None:
                continue
            key, text, ob = row
            if len(values) >= 5:
                table = "records"
            elif key in USERINFO_KEYS:
                table = "userinfo"
            else:
                table = "settings"
            if key in result.rows[table]:
                continue
            best = candidates[table].get(key)
            if best is None or st_of(ob) > best[0]:
                candidates[table][key] = (st_of(ob), text)
    for table in TABLES:
        for key, (_, text) in candidates[table].items():
            result.rows[table][key] = text
            result.from_orphans[table] += 1
    result.damaged_pages = len(reader.damaged)
    result.bad_cells = reader.bad_cells
    return result
