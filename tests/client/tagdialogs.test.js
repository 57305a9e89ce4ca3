// tagdialogs and searchdialog: colours (quirk 8), the rename rules across records (TG-12),
// the target form (TP-01), the palette, and the search dialog's texts (SK-02, SK-03).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const search = load("search");
const td = load("tagdialogs");
const sd = load("searchdialog");

test("random_color always has six hex digits (quirk 8)", () => {
    assert.equal(td.random_color(() => 0), "#000000");
    assert.equal(td.random_color(() => 0.0000001), "#000001");
    assert.equal(td.random_color(() => 0.999999999), "#FFFFFF");
    for (let i = 0; i < 500; i++) {
        assert.match(td.random_color(), /^#[0-9A-F]{6}$/);
    }
});

test("normalize_color: reset words, short hex, names kept", () => {
    for (const word of ["", "  ", "auto", "Default", "undefined", "null"]) {
        assert.equal(td.normalize_color(word), "", word);
    }
    assert.equal(td.normalize_color("#abc"), "#AABBCC");
    assert.equal(td.normalize_color("a1b2c3"), "#A1B2C3");
    assert.equal(td.normalize_color(" #12ab9F "), "#12AB9F");
    assert.equal(td.normalize_color("rebeccapurple"), "rebeccapurple");
});

test("the palette: 40 distinct colours, 4 rows of 10", () => {
    assert.equal(td.PALETTE.length, 40);
    assert.equal(new Set(td.PALETTE).size, 40);
    for (const c of td.PALETTE) {
        assert.match(c, /^#[0-9A-F]{6}$/);
    }
    // rows get lighter: the mean brightness rises row by row
    const lum = (c) => parseInt(c.slice(1, 3), 16) + parseInt(c.slice(3, 5), 16) + parseInt(c.slice(5, 7), 16);
    const rows = [0, 1, 2, 3].map((r) => td.PALETTE.slice(r * 10, r * 10 + 10).reduce((a, c) => a + lum(c), 0));
    assert.ok(rows[0] < rows[1] && rows[1] < rows[2] && rows[2] < rows[3]);
});

test("parse_new_tags: # optional, made valid, lower case, no duplicates", () => {
    assert.deepEqual(Array.from(td.parse_new_tags("#Project-X  client2 #project-x")), ["#project-x", "#client2"]);
    assert.deepEqual(Array.from(td.parse_new_tags("a.b, #ok")), ["#a-b", "#ok"]);
    assert.deepEqual(Array.from(td.parse_new_tags("")), []);
    assert.deepEqual(Array.from(td.parse_new_tags("#untagged")), []);
});

test("renamed_selection: the overview filter follows a rename (TL-23)", () => {
    assert.deepEqual(td.renamed_selection(["#old"], ["#old"], ["#new"]), ["#new"]);
    assert.deepEqual(td.renamed_selection(["#a", "#old", "#b"], ["#old"], ["#new"]), ["#a", "#new", "#b"]);
    assert.deepEqual(td.renamed_selection(["#a", "#old"], ["#old"], ["#a"]), ["#a"]); // merged
    assert.deepEqual(td.renamed_selection(["#a", "#b"], ["#a", "#b"], ["#c"]), ["#c"]);
    assert.deepEqual(td.renamed_selection(["#old"], ["#old"], []), []); // removed
    assert.equal(td.renamed_selection(["#other"], ["#old"], ["#new"]), null);
    assert.equal(td.renamed_selection([], ["#old"], ["#new"]), null);
});

test("rename_ds: first occurrence replaced, later ones dropped, spaces tidy", () => {
    assert.equal(td.rename_ds("#old fix bug", ["#old"], ["#new"]), "#new fix bug");
    assert.equal(td.rename_ds("fix #old bug #old", ["#old"], ["#new"]), "fix #new bug");
    // merge into a tag that is already there
    assert.equal(td.rename_ds("#a #b text", ["#a"], ["#b"]), "#b text");
    assert.equal(td.rename_ds("#b #a text", ["#a"], ["#b"]), "#b text");
    // a combination to one tag, and to two
    assert.equal(td.rename_ds("#c1 #code work", ["#c1", "#code"], ["#dev"]), "#dev work");
    assert.equal(td.rename_ds("#x work", ["#x"], ["#y", "#z"]), "#y #z work");
    // remove
    assert.equal(td.rename_ds("call #old with #other", ["#old"], []), "call with #other");
    assert.equal(td.rename_ds("#old", ["#old"], []), "");
    // case-insensitive, deleted records keep their marker
    assert.equal(td.rename_ds("HIDDEN #Old gone", ["#old"], ["#new"]), "HIDDEN #new gone");
    // #untagged: the new tags go in front of records without tags
    assert.equal(td.rename_ds("plain text", ["#untagged"], ["#misc"]), "#misc plain text");
    assert.equal(td.rename_ds("", ["#untagged"], ["#misc"]), "#misc");
    assert.equal(td.rename_ds("#has tag", ["#untagged"], ["#misc"]), "#has tag");
    // tags that only start like the old one are left alone
    assert.equal(td.rename_ds("#old2 #old", ["#old"], ["#new"]), "#old2 #new");
});

test("records_to_rename: all old tags, deleted ones too, by start time", () => {
    const recs = [
        { key: "c", t1: 30, t2: 40, ds: "#a #b third" },
        { key: "a", t1: 10, t2: 20, ds: "HIDDEN #a #b deleted" },
        { key: "b", t1: 20, t2: 25, ds: "#a only" },
        { key: "d", t1: 5, t2: 6, ds: "no tags" },
    ];
    assert.deepEqual(td.records_to_rename(recs, ["#a", "#b"]).map((r) => r.key), ["a", "c"]);
    assert.deepEqual(td.records_to_rename(recs, ["#a"]).map((r) => r.key), ["a", "b", "c"]);
    assert.deepEqual(td.records_to_rename(recs, ["#untagged"]).map((r) => r.key), ["d"]);
    assert.deepEqual(td.records_to_rename(recs, []).map((r) => r.key), []);
});

test("target form: hours per period, or no target (TP-01)", () => {
    assert.deepEqual({ ...td.targets_from_form("8", "day") }, { day: 8 });
    assert.deepEqual({ ...td.targets_from_form("1,5", "week") }, { week: 1.5 });
    assert.deepEqual({ ...td.targets_from_form("0", "week") }, {});
    assert.deepEqual({ ...td.targets_from_form("8", "") }, {});
    assert.deepEqual({ ...td.targets_from_form("x", "month") }, {});
    assert.deepEqual(Array.from(td.first_target({ week: 40, month: 160 })), ["week", 40]);
    assert.deepEqual(Array.from(td.first_target({})), ["", 1]);
});

test("search dialog texts: the rules summary and a result line", () => {
    const q = search.parse_query("#client1 !#paid invoice !draft");
    const html = sd.rules_html(q);
    assert.match(html, /Including tag <span class="tt-tag"><b class="tt-hash" style="color:#DEAA22">#<\/b>client1<\/span>/);
    assert.match(html, /Excluding tag .*paid/);
    assert.match(html, /Including word <q>invoice<\/q>/);
    assert.match(html, /Excluding word <q>draft<\/q>/);
    assert.match(sd.rules_html(search.parse_query("")), /Type tags/);
    const t1 = dt.make_time(2024, 3, 5, 9);
    assert.deepEqual({ ...sd.result_line({ t1, t2: t1 + 5400, ds: "" }, "hms") }, { date: "2024-03-05", duration: "1h30m", running: false });
    dt.set_now(t1 + 600);
    assert.deepEqual({ ...sd.result_line({ t1, t2: t1, ds: "" }, "colon") }, { date: "2024-03-05", duration: "0:10", running: true });
    dt.set_now(null);
});
