// autocomplete: the record dialog's suggestion sources and matching (RC-11), the
// Recent / Tags / Presets button lists (RC-12), and the sources following the store's
// changes (quirk 16).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: T } = require("./harness.js");

useZone();

const ac = load("autocomplete");
const dt = load("dt");

const NOW = T(2024, 3, 14, 15, 0);
const HOUR = 3600;
const DAY = 86400;

function rec(t1, dur, ds) {
    return { key: "k" + t1 + ds, t1, t2: t1 + dur, ds };
}

const RECORDS = [
    rec(NOW - 2 * HOUR, HOUR, "write report #client1 #code"),
    rec(NOW - DAY - 3 * HOUR, HOUR, "standup #client1 #meeting"),
    rec(NOW - 3 * DAY, HOUR, "design review #client2 #design"),
    rec(NOW - 3 * DAY + 2 * HOUR, HOUR, "write report #client1 #code"),
    rec(NOW - 200 * DAY, HOUR, "old stuff #archive #code"),
    rec(NOW - 4 * DAY, HOUR, "HIDDEN deleted #secret"),
    rec(NOW - 5 * DAY, HOUR, "no tags here"),
];

function sources() {
    const recent = RECORDS.filter((r) => r.t1 > NOW - ac.LOOKBACK);
    return {
        tag_times: ac.collect_tag_times(RECORDS),
        recent_tags: ac.recent_tags(recent, NOW),
        descriptions: ac.recent_descriptions(recent, NOW),
        presets: ["#client1 #meeting", "", "#client2 #design", "#internal #admin"],
    };
}

test("all tags with the last time they were used (hidden records skipped)", () => {
    const times = ac.collect_tag_times(RECORDS);
    assert.deepEqual(Object.keys(times).sort(), ["#archive", "#client1", "#client2", "#code", "#design", "#meeting"]);
    assert.equal(times["#code"], NOW - HOUR);
    assert.equal(times["#archive"], NOW - 200 * DAY + HOUR);
});

test("recent tags: last 12 weeks, ranked by recency score", () => {
    const recent = ac.recent_tags(RECORDS, NOW);
    const names = recent.map((p) => p[0]);
    assert.deepEqual(names.slice(0, 2).sort(), ["#client1", "#code"]);
    assert.equal(names[0], "#client1"); // also used yesterday
    assert.ok(!names.includes("#archive"), "older than 12 weeks");
    assert.ok(!names.includes("#secret"), "hidden");
    assert.ok(!names.includes("#untagged"));
    assert.equal(names.indexOf("#meeting") < names.indexOf("#design"), true);
});

test("recent descriptions: distinct, most recent first", () => {
    const ds = ac.recent_descriptions(RECORDS, NOW).map((p) => p[0]);
    assert.deepEqual(ds, ["write report #client1 #code", "standup #client1 #meeting", "design review #client2 #design", "no tags here"]);
    // Odd descriptions are fine as keys.
    const odd = ac.recent_descriptions([rec(NOW - 10, 5, "constructor"), rec(NOW - 20, 5, "__proto__")], NOW);
    assert.deepEqual(odd.map((p) => p[0]), ["constructor", "__proto__"]);
});

test("when a tag was last used", () => {
    assert.equal(ac.when_text(NOW - HOUR, NOW), "today");
    assert.equal(ac.when_text(T(2024, 3, 13, 23, 59), NOW), "yesterday");
    assert.equal(ac.when_text(NOW - 3 * DAY, NOW), "3 days ago");
    assert.equal(ac.when_text(NOW + DAY, NOW), "today");
});

test("the word at the cursor", () => {
    assert.deepEqual(ac.find_word("meeting #cl", 11), { kind: "tag", start: 8, end: 11, word: "#cl" });
    assert.deepEqual(ac.find_word("meeting #", 9), { kind: "tag", start: 8, end: 9, word: "#" });
    assert.deepEqual(ac.find_word("a ##cl b", 6), { kind: "preset", start: 2, end: 6, word: "#cl" });
    assert.deepEqual(ac.find_word("##", 2), { kind: "preset", start: 0, end: 2, word: "#" });
    // Cursor inside a tag: the end covers the rest of it; case is ignored.
    assert.deepEqual(ac.find_word("#CLient x", 3), { kind: "tag", start: 0, end: 7, word: "#cl" });
    assert.equal(ac.find_word("plain text", 5).kind, "");
    assert.equal(ac.find_word("#code done", 10).kind, "");
});

test("typing a tag: prefix matches first, then (2+ chars) tags containing it", () => {
    const res = ac.suggest("fix #de", 7, sources(), NOW);
    assert.equal(res.kind, "tag");
    assert.equal(res.header, "Matching tags");
    assert.deepEqual(res.items.map((i) => i.value), ["#design", "#code"]);
    assert.deepEqual(res.items[0].hl, [0, 3]);
    assert.deepEqual(res.items[1].hl, [3, 5]); // "de" inside #code
    assert.equal(res.items[0].note, "last used 3 days ago");
    // One character: prefix matches only, most recently used first.
    const one = ac.suggest("#c", 2, sources(), NOW).items.map((i) => i.value);
    assert.deepEqual(one.slice(0, 2).sort(), ["#client1", "#code"]); // both used an hour ago
    assert.deepEqual(one.slice(2), ["#client2"]);
    const none = ac.suggest("#zz", 3, sources(), NOW);
    assert.equal(none.header, "No matching tags");
    assert.deepEqual(none.items, []);
});

test("a bare # shows the recent tags", () => {
    const res = ac.suggest("call #", 6, sources(), NOW);
    assert.equal(res.header, "Recent tags");
    assert.equal(res.items[0].value, "#client1");
    assert.ok(!res.items.some((i) => i.value === "#archive"));
});

test("quirk 16: tags first used in this session are suggested", () => {
    const records = RECORDS.concat([rec(NOW - 60, 30, "new thing #brandnew")]);
    const src = sources();
    src.tag_times = ac.collect_tag_times(records);
    assert.equal(ac.suggest("#bra", 4, src, NOW).items[0].value, "#brandnew");
});

test("## shows presets; a tag after ## filters them", () => {
    const all = ac.suggest("##", 2, sources(), NOW);
    assert.equal(all.kind, "preset");
    assert.deepEqual(all.items.map((i) => i.value), ["#client1 #meeting", "#client2 #design", "#internal #admin"]);
    assert.match(all.header, /type # to switch between tags and presets/);
    const some = ac.suggest("##cli", 5, sources(), NOW);
    assert.deepEqual(some.items.map((i) => i.value), ["#client1 #meeting", "#client2 #design"]);
    const inner = ac.suggest("##ad", 4, sources(), NOW); // #admin by prefix
    assert.deepEqual(inner.items.map((i) => i.value), ["#internal #admin"]);
    const contains = ac.suggest("##sign", 6, sources(), NOW); // 4 chars inside #design
    assert.deepEqual(contains.items.map((i) => i.value), ["#client2 #design"]);
});

test("plain text of 2+ characters suggests recent descriptions", () => {
    const res = ac.suggest("REPO", 4, sources(), NOW);
    assert.equal(res.kind, "description");
    assert.deepEqual(res.items.map((i) => i.value), ["write report #client1 #code"]);
    assert.deepEqual(res.items[0].hl, [6, 10]);
    assert.equal(ac.suggest("r", 1, sources(), NOW).header, "");
    assert.equal(ac.suggest("zzz", 3, sources(), NOW).header, ""); // nothing: no dropdown
    assert.equal(ac.suggest("report #x and", 13, sources(), NOW).header, ""); // has a tag
});

test("accepting a tag replaces the partial word, adds a space, keeps the rest", () => {
    assert.deepEqual(ac.accept("fix #de", 4, 7, { type: "tag", value: "#design" }), ["fix #design ", 12]);
    assert.deepEqual(ac.accept("fix #de bug", 4, 7, { type: "tag", value: "#design" }), ["fix #design bug", 12]);
    // The stray # of ## goes too.
    assert.deepEqual(ac.accept("a ##cl", 2, 6, { type: "preset", value: "#client1 #meeting" }), ["a #client1 #meeting ", 20]);
    assert.deepEqual(ac.accept("x#de", 1, 4, { type: "tag", value: "#design" }), ["x #design ", 10]);
    // A description replaces everything.
    assert.deepEqual(ac.accept("wri", 0, 3, { type: "description", value: "write report #code" }), ["write report #code", 18]);
});

test("# toggles between tags and presets", () => {
    assert.deepEqual(ac.toggle_hash("a #cl", 5), ["a ##cl", 6]);
    assert.deepEqual(ac.toggle_hash("a ##cl", 6), ["a #cl", 5]);
    assert.equal(ac.toggle_hash("plain", 5), null);
});

test("insert at the cursor as a separate word", () => {
    assert.deepEqual(ac.insert_at("meeting", 7, "#client1"), ["meeting #client1 ", 17]);
    assert.deepEqual(ac.insert_at("meeting with", 7, "#c"), ["meeting #c with", 11]);
    assert.deepEqual(ac.insert_at("", 0, "#c"), ["#c ", 3]);
});

test("RC-12 lists: matches first when the text is one part, then everything", () => {
    const src = sources();
    const recent = ac.button_list("recent", "report", src, NOW);
    assert.equal(recent.header, "Recent descriptions");
    assert.equal(recent.items[0].value, "write report #client1 #code");
    assert.equal(recent.items[0].note, "match");
    assert.equal(recent.items[1].note, "recent: yesterday");
    assert.ok(recent.items.every((i) => i.replace));

    const tagsList = ac.button_list("tags", "#clie", src, NOW);
    assert.deepEqual(tagsList.items.slice(0, 2).map((i) => [i.value, i.note, i.replace]), [
        ["#client1", "match", true],
        ["#client2", "match", true],
    ]);
    const rest = tagsList.items.slice(2);
    assert.ok(rest.length > 0 && rest.every((i) => i.replace === false && i.note.startsWith("recent: ")));
    assert.ok(!rest.some((i) => i.value === "#client1"), "no duplicates");

    // Two parts: no matches, tags are inserted at the cursor.
    const two = ac.button_list("tags", "fix #code", src, NOW);
    assert.ok(two.items.every((i) => i.note.startsWith("recent: ") && !i.replace));

    const presets = ac.button_list("presets", "design", src, NOW);
    assert.deepEqual(presets.items.map((i) => [i.value, i.note, i.replace]), [
        ["#client2 #design", "match", true],
        ["#client1 #meeting", "preset", false],
        ["#internal #admin", "preset", false],
    ]);
    assert.equal(ac.button_list("presets", "", { presets: [] }, NOW).header, "No presets yet: add them with the pencil button");
    assert.equal(ac.button_list("recent", "", { descriptions: [] }, NOW).header, "No recent descriptions");
});

test("single part of a description", () => {
    assert.equal(ac.single_part("Report"), "report");
    assert.equal(ac.single_part("#Code"), "code");
    assert.equal(ac.single_part("fix #code"), "");
    assert.equal(ac.single_part(""), "");
});

test("Sources recompute after the store's records change (quirk 16)", () => {
    let listener = null;
    let all = RECORDS.slice();
    let calls = 0;
    const store = {
        on_change(cb) {
            listener = cb;
            return () => {};
        },
        records: {
            get_all_records() {
                calls += 1;
                return all.slice();
            },
            get_records(t1, t2) {
                return all.filter((r) => r.t1 < t2 && r.t2 > t1);
            },
        },
    };
    dt.set_now(NOW);
    try {
        const src = ac.sources_for(store);
        assert.equal(ac.sources_for(store), src, "one per store");
        const a = src.get(["#p1"]);
        assert.deepEqual(a.presets, ["#p1"]);
        assert.ok(!("#fresh" in a.tag_times));
        src.get([]);
        assert.equal(calls, 1, "cached while nothing changed");
        all.push(rec(NOW - 100, 50, "#fresh"));
        listener("settings");
        src.get([]);
        assert.equal(calls, 1, "settings changes do not matter");
        listener("records");
        const b = src.get([]);
        assert.equal(calls, 2);
        assert.ok("#fresh" in b.tag_times);
        assert.equal(b.recent_tags[0][0], "#fresh");
    } finally {
        dt.set_now(null);
    }
});

test("suggestion HTML: coloured #, matched part in bold, escaped", () => {
    const html = ac.item_html({ type: "tag", value: "#code", note: "last used today", hl: [0, 3] });
    assert.match(html, /<strong><b class="tt-hash" style="color:#DEAA22">#<\/b>co<\/strong>de/);
    assert.match(html, /last used today/);
    assert.match(ac.item_html({ type: "description", value: "<b>x</b>", note: "", hl: [-1, -1] }), /&lt;b&gt;x&lt;\/b&gt;/);
});
