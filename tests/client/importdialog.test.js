// importdialog / exportdialog: the pure helpers of the import preview (IE-01, IE-02, IE-09)
// and of the copied export table (IE-10).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const importer = load("importer");
const exporter = load("exporter");
const im = load("importdialog");
const ex = load("exportdialog");

const T = (mo, d, h = 0, mi = 0) => dt.make_time(2024, mo, d, h, mi);
let n = 0;
const makeKey = () => "new" + n++;

test("refused_file: spreadsheets and PDFs get a hint, text files pass", () => {
    for (const name of ["hours.xlsx", "HOURS.XLS", "a.xlsm", "a.pdf", "a.ods"]) {
        assert.match(im.refused_file(name), /export the sheet as CSV/, name);
    }
    for (const name of ["a.csv", "a.tsv", "a.txt", "export"]) {
        assert.equal(im.refused_file(name), "", name);
    }
});

test("chunk_size: about 40 progress steps, 100 to 2,500 records each", () => {
    assert.equal(im.chunk_size(10), 100);
    assert.equal(im.chunk_size(1000), 100);
    assert.equal(im.chunk_size(8000), 200);
    assert.equal(im.chunk_size(1000000), 2500);
});

const TEXT = [
    "key,start,stop,tags,description",
    "a1,2024-03-04 09:00:00,2024-03-04 10:30:00,#x,#x one",
    "a2,2024-03-05 09:00:00,2024-03-05 09:20:00,#y,\"#y two, quoted \"\"ok\"\"\"",
    "a3,2024-03-31 22:00:00,2024-04-01 00:00:00,,late",
].join("\n");

test("summary: counts, new versus replacing, and the date span", () => {
    const result = importer.analyse(TEXT, { existing: [{ key: "a2", t1: 1, t2: 2, ds: "" }], make_key: makeKey, now: T(4, 2) });
    const info = im.summary(result, { ka2: true }, "yyyy-mm-dd");
    assert.equal(info.count, 3);
    assert.equal(info.new, 2);
    assert.equal(info.updates, 1);
    assert.equal(info.span, "2024-03-04 \u2013 2024-03-31");
    assert.equal(info.text, "3 records (2 new, 1 replacing records with the same key)");
    const none = im.summary({ records: [] }, {}, "yyyy-mm-dd");
    assert.equal(none.text, "0 records");
    assert.equal(none.span, "");
});

test("preview_rows: the first records as stored, and which replace one", () => {
    const result = importer.analyse(TEXT, { make_key: makeKey, now: T(4, 2) });
    const rows = im.preview_rows(result.records, { ka1: true }, "dd-mm-yyyy", 2);
    assert.equal(rows.length, 2);
    assert.deepEqual({ ...rows[0] }, { date: "04-03-2024", start: "09:00", stop: "10:30", duration: "1h30m", ds: "#x one", replaces: true });
    assert.equal(rows[1].ds, '#y two, quoted "ok"');
    assert.equal(rows[1].replaces, false);
});

test("column_names: header fields with what they became", () => {
    const cols = im.column_names(["Client", "Email", "Start", "Stop", ""], ["client", "", "start", "stop", ""]);
    assert.deepEqual(cols.map((c) => Array.from(c)), [["Client", "client \u2192 tag"], ["Email", ""], ["Start", "start"], ["Stop", "stop"]]);
    assert.deepEqual(Array.from(im.header_fields("\ufeffa;b\n1;2", ";")), ["a", "b"]);
});

test("export_html: a table of all rows (or the first ones), escaped", () => {
    const rows = exporter.export_rows(
        [
            { key: "k1", t1: T(3, 4, 9), t2: T(3, 4, 10), ds: "#a <b> & \"c\"", mt: 0, st: 0 },
            { key: "k2", t1: T(3, 5, 9), t2: T(3, 5, 10), ds: "HIDDEN #a gone", mt: 0, st: 0 },
            { key: "k3", t1: T(3, 6, 9), t2: T(3, 6, 10), ds: "plain", mt: 0, st: 0 },
        ],
        "local",
    );
    const html = ex.export_html(rows);
    assert.equal((html.match(/<tr>/g) || []).length, 3);
    assert.ok(html.startsWith("<table><tr><th>key</th><th>start</th><th>stop</th><th>tags</th><th>description</th></tr>"));
    assert.ok(html.includes("<td>#a &lt;b&gt; &amp; &quot;c&quot;</td>"));
    assert.ok(html.includes("<td>2024-03-04 09:00:00</td>"));
    assert.equal((ex.export_html(rows, 1).match(/<tr>/g) || []).length, 2);
});
