// reportdialog: the pure helpers of the report dialog: options from the settings (quirk 4),
// the texts about the report, the copied table (RP-11) and the records' edit links
// (the table itself: reporttable.test.js).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, record: rec } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");
const rd = load("reportdialog");

const T = (mo, d, h = 0, mi = 0) => dt.make_time(2024, mo, d, h, mi);
const RECORDS = [
    rec("a", T(2, 5, 9), T(2, 5, 10, 30), "#client1 #code refactor"),
    rec("b", T(2, 6, 13), T(2, 6, 13, 45), '#client2 review "v2", part 1'),
    rec("c", T(2, 7, 8), T(2, 7, 9), "no tags\there"),
];

function build(options) {
    return reports.build_report(RECORDS, T(2, 5), T(2, 12), Object.assign({ now: T(2, 9) }, options));
}

test("read_options: stored values, defaults, and the original's 'date' grouping as none", () => {
    const stored = { report_grouping: "date", report_groupperiod: "week", report_format: "h2", report_showrecords: false };
    const opts = rd.read_options((key) => (key in stored ? stored[key] : null));
    assert.equal(opts.grouping, "none");
    assert.equal(opts.groupperiod, "week");
    assert.equal(opts.format, "h2");
    assert.equal(opts.showrecords, false);
    assert.equal(opts.hidesecondary, false);
    const defaults = rd.read_options(() => null);
    assert.equal(defaults.grouping, "none");
    assert.equal(defaults.format, "hm");
    assert.equal(defaults.showrecords, true);
    assert.equal(rd.read_options((k) => (k === "report_grouping" ? "tagz" : null)).grouping, "tagz");
});

test("report_info: tags or 'all', dates per the date format, one day shown once", () => {
    const week = rd.report_info(T(2, 5), T(2, 11), [], "yyyy-mm-dd", "alice");
    assert.equal(week.tags, "all");
    assert.equal(week.from, "2024-02-05");
    assert.equal(week.until, "2024-02-11");
    assert.equal(week.range, "2024-02-05 \u2013 2024-02-11");
    assert.equal(week.username, "alice");
    const day = rd.report_info(T(2, 5), T(2, 5), ["#client1", "#code"], "mm/dd/yyyy");
    assert.equal(day.range, "02/05/2024");
    assert.equal(day.tags, "#client1 #code");
    assert.equal(day.username, "");
});

test("clipboard_table: the CSV's columns, tab-separated, and the same cells as HTML", () => {
    const report = build({ grouping: "tagz" });
    const [html, text] = rd.clipboard_table(report, "alice");
    const lines = text.split("\r\n");
    assert.equal(lines[0], reports.CSV_HEADER.split(",").join("\t"));
    assert.equal(lines[1], "3:15\tTotal\t\t\t\t\t\t\t");
    assert.deepEqual(lines.slice(2), [
        "\t\t\t\t\t\t\t\t",
        "1:30\t#client1 #code\t\t\t\t\t\t\t",
        "\t\t1:30\t05-02-2024\t09:00\t10:30\t#client1 #code refactor\talice\t#client1 #code",
        "\t\t\t\t\t\t\t\t",
        "1:00\t#untagged\t\t\t\t\t\t\t",
        "\t\t1:00\t07-02-2024\t08:00\t09:00\tno tags here\talice\t",
        "\t\t\t\t\t\t\t\t",
        "0:45\t#client2\t\t\t\t\t\t\t",
        '\t\t0:45\t06-02-2024\t13:00\t13:45\t#client2 review "v2", part 1\talice\t#client2',
    ]);
    // every line has the 9 columns; no field carries a tab of its own
    for (const line of lines) {
        assert.equal(line.split("\t").length, 9);
    }
    assert.equal((html.match(/<tr>/g) || []).length, lines.length);
    assert.equal((html.match(/<td>/g) || []).length, lines.length * 9);
    assert.ok(html.includes("<td>#client2 review &quot;v2&quot;, part 1</td>"));
});

test("record_link: a record's description as a link to its row, the HTML kept as given", () => {
    assert.equal(
        rd.record_link(7, "<b>x</b> &amp;"),
        '<a href="#" role="button" data-row="7" title="Edit this record"><b>x</b> &amp;</a>'
    );
});
