// tags: syntax, normalisation, tagz and text-to-tag (TG-01..TG-05, TS-28..TS-33).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const tags = load("tags");

function split(text) {
    const [t, parts] = tags.split_description(text);
    return { tags: t, parts };
}

test("TS-29 tags are sorted, parts rejoin to the description", () => {
    assert.deepEqual(split("hey #aa and #bb"), { tags: ["#aa", "#bb"], parts: ["hey ", "#aa", " and ", "#bb"] });
    assert.deepEqual(split("hey #bb and #aa"), { tags: ["#aa", "#bb"], parts: ["hey ", "#bb", " and ", "#aa"] });
});

test("TS-30 upper-case tags are lower-cased", () => {
    assert.deepEqual(split("hey #AA and #Bb"), { tags: ["#aa", "#bb"], parts: ["hey ", "#aa", " and ", "#bb"] });
});

test("TS-31 stray and glued hashes", () => {
    assert.deepEqual(split("hey ##aa"), { tags: ["#aa"], parts: ["hey ", " ", "#aa"] });
    assert.deepEqual(split("hey #aa#"), { tags: ["#aa"], parts: ["hey ", "#aa", " "] });
    assert.deepEqual(split("hey #aa#bb"), { tags: ["#aa", "#bb"], parts: ["hey ", "#aa", " ", "#bb"] });
});

test("TS-32 trailing spaces removed", () => {
    assert.deepEqual(split("hey #aa #bb   "), { tags: ["#aa", "#bb"], parts: ["hey ", "#aa", " ", "#bb"] });
    assert.deepEqual(split("just text  "), { tags: [], parts: ["just text"] });
    assert.deepEqual(split("   "), { tags: [], parts: [] });
});

test("TS-33 invalid characters end a tag", () => {
    assert.deepEqual(split("hey #foo\\bar and #spam*eggs"), {
        tags: ["#foo", "#spam"],
        parts: ["hey ", "#foo", "\\bar and ", "#spam", "*eggs"],
    });
});

test("TG-01 tag characters", () => {
    assert.deepEqual(tags.get_tags("#a-b/c_d #hë #日本 #1337 #x.y"), ["#1337", "#a-b/c_d", "#hë", "#x", "#日本"]);
    assert.deepEqual(tags.get_tags("a lone # is no tag"), []);
    assert.deepEqual(tags.get_tags("#aa #AA #aa"), ["#aa"]);
});

test("TG-03/TG-04 tagz", () => {
    assert.equal(tags.get_tagz("work on #code for #client1"), "#client1 #code");
    assert.equal(tags.get_tagz("no tags here"), "#untagged");
    assert.equal(tags.get_tagz(""), "#untagged");
    assert.equal(tags.get_tagz(undefined), "#untagged");
});

test("TG-02 normalised descriptions", () => {
    assert.equal(tags.normalize_description("Hey #AA#bb  "), "Hey #aa #bb");
    assert.equal(tags.normalize_description('  "quoted" text\twith\nnewline\r'), 'quoted" text with newline');
    assert.equal(tags.normalize_description("x".repeat(300)).length, 255);
    assert.equal(tags.normalize_description(null), "");
});

test("DM0-4 to_str", () => {
    assert.equal(tags.to_str(42), "42");
    assert.equal(tags.to_str('""  a'), "a");
    assert.equal(tags.to_str("a".repeat(400)).length, 255);
});

test("TS-28 text to tag", () => {
    const cases = {
        hi: "#hi", HI: "#HI", "#hi": "#hi", "1337": "#1337", "hë": "#hë", h_a: "#h_a", "h-a": "#h-a", "h/a": "#h/a",
        "h a": "#h-a", "h(a": "#h-a", "h)a": "#h-a", "h()[]\\|a": "#h-a", "[a]": "#a-",
        "": "", "#": "", "#a": "", a: "", "#]]]]]": "", "#aa": "#aa", aa: "#aa",
    };
    for (const [input, expected] of Object.entries(cases)) {
        assert.equal(tags.text_to_tag(input), expected, JSON.stringify(input));
    }
});

test("has_all_tags", () => {
    assert.equal(tags.has_all_tags(["#a", "#b"], ["#a"]), true);
    assert.equal(tags.has_all_tags(["#a", "#b"], ["#a", "#c"]), false);
    assert.equal(tags.has_all_tags(["#a"], []), true);
});
