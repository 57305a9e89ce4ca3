// tagorder: the "better tag order" of combinations (TG-13, TS-34..TS-41) and the
// grouping sort (TG-14).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const tagorder = load("tagorder");

// The ordered combinations, joined, in processing order.
function order(stats, selected = [], remove = false, priorities = null) {
    const result = tagorder.better_tag_order(stats, selected, remove, priorities);
    return Object.values(result).map((tags) => tags.join(" "));
}

test("TS-34 sanity", () => {
    assert.deepEqual(order({}), []);
    assert.deepEqual(order({ "#foo #bar": 1 }), ["#foo #bar"]);
    assert.deepEqual(order({ "#bar #foo": 1 }), ["#bar #foo"]);
    assert.deepEqual(order({ "#foo #bar": 1 }, ["#foo"]), ["#foo #bar"]);
    assert.deepEqual(order({ "#bar #foo": 1 }, ["#foo"]), ["#foo #bar"]);
    assert.deepEqual(order({ "#foo #bar": 1 }, ["#bar"]), ["#bar #foo"]);
    assert.deepEqual(order({ "#bar #foo": 1 }, ["#bar"]), ["#bar #foo"]);
    assert.deepEqual(order({ "#bar #foo": 1 }, ["#foo"], true), ["#bar"]);
    assert.deepEqual(order({ "#bar #foo": 1 }, ["#spam"]), []);
    assert.deepEqual(order({ "#foo #bar": 1 }, ["#spam"], true), []);
});

test("TS-35 two combinations sharing a tag", () => {
    const stats = { "#aa #bb": 2, "#cc #aa": 4 };
    assert.deepEqual(order(stats), ["#aa #cc", "#aa #bb"]);
    assert.deepEqual(order(stats, ["#aa"]), ["#aa #cc", "#aa #bb"]);
    assert.deepEqual(order(stats, ["#bb"]), ["#bb #aa"]);
    assert.deepEqual(order(stats, ["#cc"]), ["#cc #aa"]);
    assert.deepEqual(order(stats, ["#aa"], true), ["#cc", "#bb"]);
    assert.deepEqual(order(stats, ["#cc"], true), ["#aa"]);
    // keys of the result are the input keys
    assert.deepEqual(Object.keys(tagorder.better_tag_order(stats)), ["#cc #aa", "#aa #bb"]);
});

const TS36 = { "#code #client1": 2, "#meeting #client1": 4, "#code #client2": 2, "#admin #client2": 1 };

test("TS-36 clients first", () => {
    assert.deepEqual(order(TS36), ["#client1 #code", "#client2 #code", "#client1 #meeting", "#client2 #admin"]);
    assert.deepEqual(order(TS36, ["#code"]), ["#code #client1", "#code #client2"]);
});

test("TS-37 a common prefix tag", () => {
    const stats = {};
    for (const [tagz, v] of Object.entries(TS36)) {
        stats["#paid " + tagz] = v;
    }
    assert.deepEqual(order(stats), ["#paid #client1 #code", "#paid #client2 #code", "#paid #client1 #meeting", "#paid #client2 #admin"]);
    assert.deepEqual(order(stats, ["#paid"], true), ["#client1 #code", "#client2 #code", "#client1 #meeting", "#client2 #admin"]);
});

test("TS-38 durations decide", () => {
    const stats = { "#client1 #code": 5280, "#client1 #design": 4680, "#client3 #code": 5820, "#client3 #meeting": 3120, "#reading #unpaid": 2880 };
    assert.deepEqual(order(stats), ["#client1 #code", "#client3 #code", "#client1 #design", "#client3 #meeting", "#reading #unpaid"]);
    assert.deepEqual(order(stats, ["#code"]), ["#code #client3", "#code #client1"]);
    assert.deepEqual(order(stats, ["#code"], true), ["#client3", "#client1"]);
});

test("TS-39 a small combination follows its family", () => {
    const stats = { "#client1 #code": 5280, "#client1 #design": 4680, "#client1 #admin": 10, "#client3 #code": 5820 };
    assert.deepEqual(order(stats), ["#client1 #code", "#client1 #design", "#client1 #admin", "#client3 #code"]);
});

const TS40 = { "#client1 #code": 5280, "#client2 #code": 4680, "#client1 #admin": 20, "#client2 #admin": 10 };

test("TS-40 priorities", () => {
    assert.deepEqual(order(TS40), ["#code #client1", "#code #client2", "#admin #client1", "#admin #client2"]);
    const prios = { "#client1": 1, "#client2": 1, "#code": 2, "#admin": 2 };
    const expected = ["#client1 #code", "#client2 #code", "#client1 #admin", "#client2 #admin"];
    assert.deepEqual(order(TS40, [], false, prios), expected);
    assert.deepEqual(order(TS40, [], false, (tag) => prios[tag]), expected); // a function works too
    assert.deepEqual(order(TS40, [], false, { "#code": 2 }).sort(), [...expected].sort());
    assert.deepEqual(order(TS40, [], false, { "#client1": 3, "#client2": 3, "#code": 4, "#admin": 4 }), expected);
    // priority 0 (how the tag info stores "primary") counts as 1
    assert.deepEqual(order(TS40, [], false, { "#client1": 0, "#client2": 0, "#code": 2, "#admin": 2 }), expected);
});

test("TS-41 selection overrides priority", () => {
    const prios = { "#client1": 1, "#client2": 1, "#code": 2, "#admin": 2 };
    assert.deepEqual(order(TS40, ["#code"], false, prios), ["#code #client1", "#code #client2"]);
});

test("selection order gives selected tags their place", () => {
    const stats = { "#a #b #c": 5, "#a #b": 3, "#b #c": 1 };
    // (each extra tag lowers a combination's summed priority score, so "#b #c" comes first)
    assert.deepEqual(order(stats, ["#c", "#b"]), ["#c #b", "#c #b #a"]);
    assert.deepEqual(order(stats, ["#b", "#c"]), ["#b #c", "#b #c #a"]);
    assert.deepEqual(order(stats, ["#b", "#c"], true), ["", "#a"]);
});

test("TG-14 grouping sort keeps families together, by family total", () => {
    const g = (tags, duration) => ({ tags: tags ? tags.split(" ") : [], duration });
    const groups = [
        g("#client2 #admin", 10), g("#client1 #code", 5280), g("#client2 #code", 4680),
        g("#client1 #admin", 20), g("#reading", 6000), g("", 100), g("#client1", 30),
    ];
    const sorted = tagorder.grouping_sort(groups).map((x) => x.tags.join(" "));
    // Families compare at position 0: #reading 6000 > #client1 5330 > #client2 4690 > the
    // tagless row 100; inside #client1, the bare "#client1" row (family total) comes first.
    assert.deepEqual(sorted, ["#reading", "#client1", "#client1 #code", "#client1 #admin", "#client2 #code", "#client2 #admin", ""]);
    // exact ties fall back to alphabetical order
    const tie = tagorder.grouping_sort([g("#b #x", 5), g("#a #y", 5), g("#a #x", 0), g("#b #w", 5)]).map((x) => x.tags.join(" "));
    assert.deepEqual(tie, ["#b #w", "#b #x", "#a #y", "#a #x"]);
    // the input list is not changed
    assert.equal(groups[0].tags.join(" "), "#client2 #admin");
});

test("TG-13 + TG-14 together on TS-38 stats", () => {
    const stats = { "#client1 #code": 5280, "#client1 #design": 4680, "#client3 #code": 5820, "#client3 #meeting": 3120, "#reading #unpaid": 2880 };
    const ordered = tagorder.better_tag_order(stats);
    const groups = Object.keys(ordered).map((tagz) => ({ tags: ordered[tagz], duration: stats[tagz] }));
    const rows = tagorder.grouping_sort(groups).map((x) => x.tags.join(" "));
    assert.deepEqual(rows, ["#client1 #code", "#client1 #design", "#client3 #code", "#client3 #meeting", "#reading #unpaid"]);
});
