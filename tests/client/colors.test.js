// Colours from synced settings are data (issue 9.4): the one validator
// (colors.is_color / valid_color), the one HTML escaper (markup.escape), and a hostile
// tag colour read through taginfo, rendered in every place that puts a tag colour in
// markup (tags in dialogs, the autocompletion, the overview's colour bands).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const stores = load("stores");
const colors = load("colors");
const markup = load("markup");
const taginfo = load("taginfo");
const autocomplete = load("autocomplete");

const HOSTILE = [
    'red" onanimationstart="window.__pwned=1" x="',
    "red;background:url(https://evil.example/x)",
    "#fff' onmouseover='alert(1)",
    "expression(alert(1))",
    "url(javascript:alert(1))",
    "<script>alert(1)</script>",
    "#12345g",
    "#1234",
    "rgb(1,2,3) x",
    "rgb(1,2,3);color:red",
    "hsl(1 2 3))",
    "redd",
    "",
    " ",
    "a".repeat(100),
];

test("is_color: hex, CSS names and numeric rgb()/hsl() only", () => {
    for (const good of [
        "#abc", "#ABC", "#a1b2c3", "#DEAA22", " #abc ", "red", "RebeccaPurple",
        "rgb(1, 2, 3)", "rgba(1,2,3,0.5)", "rgb(1 2 3 / 50%)", "hsl(120deg 50% 50%)",
        "hsla(120, 50%, 50%, .3)", "rgb(100%, 0%, 0%)",
    ]) {
        assert.equal(colors.is_color(good), true, good);
    }
    for (const bad of HOSTILE) {
        assert.equal(colors.is_color(bad), false, bad);
    }
    for (const notText of [null, undefined, 12, {}, ["#abc"]]) {
        assert.equal(colors.is_color(notText), false, String(notText));
    }
});

test("valid_color: the colour (trimmed) or the fallback", () => {
    assert.equal(colors.valid_color(" #abc "), "#abc");
    assert.equal(colors.valid_color(HOSTILE[0]), colors.ACCENT);
    assert.equal(colors.valid_color(HOSTILE[0], ""), "");
    assert.equal(colors.valid_color(null, "#000"), "#000");
    assert.equal(colors.with_alpha("#abc", 0.5), "rgba(170,187,204,0.5)");
    assert.equal(colors.with_alpha("red", 0.5), "red");
});

test("escape: & < > \" ' are escaped, nothing else changes", () => {
    assert.equal(markup.escape(`a&b<c>d"e'f`), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    assert.equal(markup.escape("plain text #tag 1.5"), "plain text #tag 1.5");
    assert.equal(markup.escape(null), "");
    assert.equal(markup.escape(0), "0");
});

let mt = 1;
function withTagInfo(store, key, value) {
    mt += 1; // newer than what is stored, as the server would send it
    store.settings._put_received([{ key, value, mt, st: mt }]);
    load("settings").reload();
}

test("a hostile colour synced from the server reads as the default colour", () => {
    const store = new stores.SandboxDataStore();
    store.close();
    for (const bad of HOSTILE) {
        withTagInfo(store, "taginfo #x", { color: bad, priority: 0, targets: {} });
        assert.equal(taginfo.get_tag_color("#x"), "#DEAA22", bad);
        assert.equal(taginfo.get_tag_info("#x").color, "", bad);
        withTagInfo(store, "taginfo #x", null);
        withTagInfo(store, "color #x", bad); // the legacy setting
        assert.equal(taginfo.get_tag_color("#x"), "#DEAA22", bad);
        withTagInfo(store, "color #x", null);
    }
    withTagInfo(store, "taginfo #x", { color: "#123456", priority: 0, targets: {} });
    assert.equal(taginfo.get_tag_color("#x"), "#123456");
    // what is written is a colour, or nothing
    taginfo.set_tag_info("#y", { color: HOSTILE[0], priority: 2, targets: {} });
    assert.equal(store.settings.get_by_key("taginfo #y").value.color, "");
});

test("no attribute can be injected where tag colours meet markup", () => {
    const store = new stores.SandboxDataStore();
    store.close();
    withTagInfo(store, "taginfo #x", { color: HOSTILE[0], priority: 0, targets: {} });
    const pieces = [
        markup.tag_html("#x"),
        markup.hash_html("#x"),
        markup.description_html("work on #x"),
        autocomplete.item_html({ value: "#x", hl: [0, 2] }),
    ];
    for (const html of pieces) {
        assert.doesNotMatch(html, /onanimationstart|__pwned/, html);
        assert.match(html, /style="color:#DEAA22"/, html);
    }
    // Tag names are data too.
    const evilTag = markup.tag_html('#a"><img src=x onerror=alert(1)>');
    assert.doesNotMatch(evilTag, /<img/);
});
