// search: query syntax (SK-02) and results (SK-03).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const search = load("search");

const T = (mo, d, h) => dt.make_time(2024, mo, d, h);
const rec = (key, t1, ds) => ({ key, t1, t2: t1 + 3600, ds, mt: 1, st: 0 });
const RECORDS = [
    rec("a", T(3, 18, 9), "#client1 #code Parser refactor"),
    rec("b", T(3, 19, 9), "#client1 #meeting weekly sync"),
    rec("c", T(3, 17, 9), "#client2 #code fix the PARSER crash"),
    rec("d", T(3, 20, 9), "reading about parsers"),
    rec("e", T(3, 21, 9), "HIDDEN #client1 #code parser"),
    rec("f", T(3, 16, 9), ""),
    rec("g", T(3, 19, 9), "#client1 #code review"), // same start as b
];

function parsed(text) {
    const q = search.parse_query(text);
    return { it: Array.from(q.include_tags), et: Array.from(q.exclude_tags), iw: Array.from(q.include_words), ew: Array.from(q.exclude_words) };
}
const keys = (query) => search.search(RECORDS, query).map((r) => r.key);

test("SK-02 query syntax", () => {
    assert.deepEqual(parsed("#Client1 parser"), { it: ["#client1"], et: [], iw: ["parser"], ew: [] });
    assert.deepEqual(parsed("!#meeting #client1"), { it: ["#client1"], et: ["#meeting"], iw: [], ew: [] });
    assert.deepEqual(parsed("#client1 ! #meeting"), { it: ["#client1"], et: ["#meeting"], iw: [], ew: [] });
    assert.deepEqual(parsed("parser !crash !!weekly"), { it: [], et: [], iw: ["parser"], ew: ["crash", "weekly"] });
    assert.deepEqual(parsed("! word #tag"), { it: ["#tag"], et: [], iw: ["word"], ew: [] }); // "!" not right before the tag
    assert.deepEqual(parsed("#a#b #a"), { it: ["#a", "#b"], et: [], iw: [], ew: [] });
    assert.deepEqual(parsed("  "), { it: [], et: [], iw: [], ew: [] });
    assert.equal(search.has_rules(search.parse_query("!")), false);
    assert.equal(search.has_rules(search.parse_query("x")), true);
});

test("SK-02 summary of the rules", () => {
    assert.deepEqual(search.rule_groups(search.parse_query("#client1 #code !#meeting parser !crash !weekly")), [
        ["Including tags", "tags", ["#client1", "#code"]],
        ["Excluding tag", "tags", ["#meeting"]],
        ["Including word", "words", ["parser"]],
        ["Excluding words", "words", ["crash", "weekly"]],
    ]);
    assert.deepEqual(search.rule_groups(search.parse_query("")), []);
});

test("SK-02/SK-03 matching, newest first, hidden records never", () => {
    assert.deepEqual(keys("parser"), ["d", "a", "c"]); // case-insensitive substring; "parsers" too
    assert.deepEqual(keys("#client1"), ["b", "g", "a"]); // equal starts: by key
    assert.deepEqual(keys("#client1 !#meeting"), ["g", "a"]);
    assert.deepEqual(keys("#code !crash"), ["g", "a"]);
    assert.deepEqual(keys("#untagged"), ["d", "f"]);
    assert.deepEqual(keys("#untagged !parsers"), ["f"]);
    assert.deepEqual(keys("!#untagged #code parser"), ["a", "c"]);
    assert.deepEqual(keys("#nothing"), []);
    assert.deepEqual(keys(""), []); // no rules, no results
    assert.deepEqual(keys(search.parse_query("WEEKLY")), ["b"]);
    assert.equal(search.matches(RECORDS[4], search.parse_query("parser")), false);
});
