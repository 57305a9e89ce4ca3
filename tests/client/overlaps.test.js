// overlaps: which records overlap another (touching ends do not, running records end
// now, hidden ones never), the others of one record, and the fix (the earlier record
// ends where the later begins).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, record: rec } = require("./harness.js");

const overlaps = load("overlaps");
const H = 3600;

test("overlapping_keys: pairs, chains, touching ends, running and hidden records", () => {
    const records = [
        rec("a", 0, 2 * H, "#a"),
        rec("b", H, 3 * H, "#b"), // overlaps a
        rec("c", 3 * H, 4 * H, "#c"), // touches b: no overlap
        rec("d", 5 * H, 9 * H, "#d"), // contains e
        rec("e", 6 * H, 7 * H, "#e"),
        rec("f", 8.5 * H, 8.5 * H, "#f running"), // running from 8:30, overlaps d (not h)
        rec("g", 10 * H, 11 * H, "HIDDEN #g"), // deleted: never counts
        rec("h", 10.5 * H, 12 * H, "#h"),
    ];
    const keys = overlaps.overlapping_keys(records, 9.5 * H); // f runs until 9:30
    assert.deepEqual(Object.keys(keys).sort(), ["a", "b", "d", "e", "f"]);
    // a running record ends now: before now passes d's start nothing overlaps
    assert.equal(overlaps.overlapping_keys([rec("r", H, H, "run"), rec("s", 3 * H, 4 * H, "")], 2 * H).r, undefined);
    assert.equal(overlaps.overlapping_keys([rec("r", H, H, "run"), rec("s", 3 * H, 4 * H, "")], 3.5 * H).r, true);
    // the same record twice (e.g. a dragged copy) is not an overlap with itself
    assert.deepEqual(overlaps.overlapping_keys([rec("x", 0, H, ""), rec("x", 0, H, "")], 0), {});
    assert.deepEqual(overlaps.overlapping_keys([], 0), {});
});

test("overlaps_with and fix_for: the earlier record ends where the later begins", () => {
    const a = rec("a", 0, 2 * H, "#a");
    const b = rec("b", H, 3 * H, "#b");
    const c = rec("c", 0.5 * H, 0.75 * H, "#c");
    const found = overlaps.overlaps_with(a, [b, a, c], 10 * H);
    assert.deepEqual(found.map((r) => r.key), ["c", "b"]);
    const fix = overlaps.fix_for(b, a);
    assert.equal(fix.key, "a");
    assert.equal(fix.t1, 0);
    assert.equal(fix.t2, H);
    assert.equal(overlaps.fix_for(a, c).key, "a");
    assert.equal(overlaps.fix_for(a, c).t2, 0.5 * H);
    // starting together: no fix (the earlier would become empty)
    assert.equal(overlaps.fix_for(a, rec("z", 0, H, "")), null);
    assert.equal(overlaps.do_overlap(a, rec("t", 2 * H, 3 * H, ""), 0), false);
    assert.equal(overlaps.record_end(rec("r", H, H, ""), 0), H);
});
