// reporttable: the report's HTML table as both its users make it: the report dialog
// (the user's tag colours, descriptions as links to the record dialog) and the shared
// page (the share's colours, no links). Same rows, text from records always escaped.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, record: rec } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");
const taginfo = load("taginfo");
const rt = load("reporttable");
const rd = load("reportdialog");

const T = (mo, d, h = 0, mi = 0) => dt.make_time(2024, mo, d, h, mi);
const RECORDS = [
    rec("a", T(2, 5, 9), T(2, 5, 10, 30), "#client1 #code refactor"),
    rec("b", T(2, 6, 13), T(2, 6, 13, 45), '#client2 <img src=x onerror="alert(1)"> review'),
    rec("c", T(2, 7, 8), T(2, 7, 9), ""),
    rec("d", T(2, 9, 8), T(2, 9, 8), "#client1 still going"),
];
const NOW = T(2, 9, 8, 30);
const SHARED_COLORS = { "#client1": "#0055aa", "#client2": '#123456" onmouseover="alert(2)' };
const sharedColor = (tag) => SHARED_COLORS[tag] || "#888888";
const DIALOG_EMPTY = "No records in this date range.";
const SHARED_EMPTY = "No records in this report.";

function build(options, records = RECORDS) {
    return reports.build_report(records, T(2, 5), T(2, 12), Object.assign({ now: NOW }, options));
}

const count = (text, re) => (text.match(re) || []).length;

test("the dialog's table: every record's description links to its row, tags in the user's colours", () => {
    const report = build({ grouping: "tagz" });
    const html = rt.table_html(report, DIALOG_EMPTY, null, rd.record_link);
    const recordRows = [];
    report.rows.forEach((row, i) => row.type === "record" && recordRows.push(i));
    assert.equal(recordRows.length, 4);
    const linked = [...html.matchAll(/<a href="#" role="button" data-row="(\d+)" title="Edit this record">/g)];
    assert.deepEqual(linked.map((m) => Number(m[1])), recordRows);
    assert.equal(count(html, /<tr class="tt-rp-record/g), 4);
    assert.equal(count(html, /<tr class="tt-rp-group">/g), report.rows.filter((r) => r.type === "group").length);
    assert.equal(count(html, /<tr class="tt-rp-spacer"><td colspan="3"><\/td><\/tr>/g), report.rows.filter((r) => r.type === "spacer").length);
    assert.ok(html.startsWith('<table class="tt-rp-table"><tbody><tr class="tt-rp-total"><td class="tt-rp-dur">3:45</td>'));
    const hashColor = `<b class="tt-hash" style="color:${taginfo.get_tag_color("#client1")}">#</b>client1`;
    assert.ok(html.includes(hashColor));
    assert.ok(html.includes("tt-rp-running"), "the running record is marked");
    assert.ok(html.includes('<span class="tt-muted">\u2013</span></a>'), "an empty description shows a dash");
    assert.ok(!html.includes(DIALOG_EMPTY));
    assert.ok(!html.includes("tt-rp-earnings") && !html.includes("tt-rp-amount"));
});

test("the shared page's table: the same rows without links, the share's colours escaped", () => {
    const report = build({ grouping: "tagz" });
    const html = rt.table_html(report, SHARED_EMPTY, sharedColor);
    assert.equal(count(html, /<a /g), 0);
    assert.ok(html.includes('<b class="tt-hash" style="color:#0055aa">#</b>client1'));
    // whatever the colour function returns stays inside the attribute
    assert.ok(html.includes('style="color:#123456&quot; onmouseover=&quot;alert(2)">#</b>client2'));
    assert.ok(!html.includes('" onmouseover="'));
    // The dialog's table is the shared one with links around the descriptions.
    const dialog = rt.table_html(report, SHARED_EMPTY, sharedColor, rd.record_link);
    const unlinked = dialog.replace(/<a href="#" role="button" data-row="\d+" title="Edit this record">/g, "").split("</a>").join("");
    assert.equal(unlinked, html);
});

test("text from records is data in both tables: descriptions and group titles escaped", () => {
    for (const grouping of ["tagz", "ds", "none"]) {
        const report = build({ grouping });
        for (const html of [
            rt.table_html(report, DIALOG_EMPTY, null, rd.record_link),
            rt.table_html(report, SHARED_EMPTY, sharedColor),
        ]) {
            assert.ok(!html.includes("<img"), grouping);
            assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; review"), grouping);
        }
    }
});

test("rated reports: the earnings line above, an amount cell in every row but the spacers", () => {
    const report = build({ grouping: "tagz", rates: (tag) => (tag === "#client1" ? 60 : null) });
    assert.ok(report.has_rates);
    for (const html of [
        rt.table_html(report, DIALOG_EMPTY, null, rd.record_link),
        rt.table_html(report, SHARED_EMPTY, sharedColor),
    ]) {
        assert.ok(html.startsWith('<p class="tt-rp-earnings tt-note"><strong>Earnings '));
        assert.ok(html.includes(reports.RATE_RULE));
        const rows = report.rows.filter((r) => r.type !== "spacer").length;
        assert.equal(count(html, /<td class="tt-rp-amount">/g), rows);
        assert.equal(count(html, /<td colspan="4"><\/td>/g), report.rows.length - rows);
    }
});

test("no records: the caller's note (as text) below an empty table", () => {
    const empty = build({ grouping: "tagz" }, []);
    assert.equal(
        rt.table_html(empty, SHARED_EMPTY, sharedColor),
        '<table class="tt-rp-table"><tbody><tr class="tt-rp-total"><td class="tt-rp-dur">0:00</td>' +
            '<td colspan="2">Total</td></tr></tbody></table><p class="tt-rp-empty">No records in this report.</p>'
    );
    assert.ok(rt.table_html(empty, "a <b>", null, rd.record_link).endsWith('<p class="tt-rp-empty">a &lt;b&gt;</p>'));
});

test("group_title_html: period, coloured tags, descriptions escaped", () => {
    const byTags = build({ grouping: "tagz", groupperiod: "week" });
    const group = byTags.rows.find((r) => r.type === "group" && r.tags.length === 2);
    const html = rt.group_title_html(group, "tagz");
    assert.match(html, /^<span class="tt-rp-period">2024W6<\/span><span class="tt-rp-sep"> \/ <\/span>/);
    assert.match(html, /<b class="tt-hash" style="color:#DEAA22">#<\/b>client1/);
    assert.match(rt.group_title_html(group, "tagz", sharedColor), /<b class="tt-hash" style="color:#0055aa">#<\/b>client1/);
    const filtered = build({ grouping: "tagz", tags: ["#client2"] });
    const general = filtered.rows.find((r) => r.type === "group");
    assert.equal(rt.group_title_html(general, "tagz"), "General");
    const byDs = build({ grouping: "ds" });
    const hostile = byDs.rows.find((r) => r.type === "group" && r.title.includes("review"));
    assert.ok(rt.group_title_html(hostile, "ds", sharedColor).includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; review"));
    const untitled = byDs.rows.find((r) => r.type === "group" && r.title === reports.NO_DESCRIPTION);
    assert.equal(rt.group_title_html(untitled, "ds"), `<span class="tt-muted">${reports.NO_DESCRIPTION}</span>`);
    const none = build({ grouping: "none", groupperiod: "day" });
    const day = none.rows.find((r) => r.type === "group");
    assert.equal(rt.group_title_html(day, "none"), '<span class="tt-rp-period">05-02-2024</span>');
});
