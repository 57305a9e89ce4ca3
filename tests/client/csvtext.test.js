// csvtext: the one CSV/TSV writer of the report (RP-12) and the export (IE-10), and
// CSV injection (issue 9.5): descriptions a spreadsheet would run as formulas get a
// leading quote and are quoted; the importer takes the quote off again, so export
// then import gives the same records.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: L, record: rec } = require("./harness.js");

useZone();

const csvtext = load("csvtext");
const exporter = load("exporter");
const importer = load("importer");
const reports = load("reports");

const FORMULAS = [
    "=HYPERLINK(\"https://evil.example\",\"click\")",
    "+1+2",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+2 #tag",
    "'=already quoted",
    "''-twice",
];

test("neutralise and restore: a quote before formula starts, undone exactly", () => {
    for (const text of FORMULAS) {
        const safe = csvtext.neutralise(text);
        assert.equal(safe, "'" + text, text);
        assert.equal(csvtext.restore(safe), text, text);
    }
    assert.equal(csvtext.neutralise("\tx"), "'\tx");
    assert.equal(csvtext.neutralise("\rx"), "'\rx");
    for (const text of ["plain", "#tag =x", "'quoted", "it's", "", "1+1", "'", "''"]) {
        assert.equal(csvtext.neutralise(text), text, text);
        assert.equal(csvtext.restore(text), text, text);
    }
    assert.equal(csvtext.neutralise(null), "");
});

test("field: neutralised fields are quoted; others only when needed", () => {
    assert.equal(csvtext.field("=1+2"), "\"'=1+2\"");
    assert.equal(csvtext.field('=A1&"x"'), "\"'=A1&\"\"x\"\"\"");
    assert.equal(csvtext.field("plain"), "plain");
    assert.equal(csvtext.field("plain", true), '"plain"');
    assert.equal(csvtext.field('a "b"'), '"a ""b"""');
    assert.equal(csvtext.field("line\nbreak"), '"line\nbreak"');
    assert.equal(csvtext.field(" edge"), '" edge"');
    assert.equal(csvtext.field(null), "");
    assert.equal(csvtext.csv_line(["a", "=b", "c"], [2]), "a,\"'=b\",\"c\"");
    assert.equal(csvtext.tsv_text([["a", "=b"], ["-c", "d"]]), "a\t'=b\r\n'-c\td");
});

const T0 = L(2024, 3, 18, 9);
const HOSTILE = FORMULAS.map((ds, i) => rec("key" + i, T0 + i * 3600, T0 + i * 3600 + 1800, ds));

test("report CSV: record descriptions and group titles neutralised and quoted", () => {
    const r = reports.build_report(HOSTILE, L(2024, 3, 18), L(2024, 3, 19), {
        grouping: "ds",
        now: L(2024, 3, 20),
    });
    const lines = reports.to_csv(r, "=user").split("\r\n");
    const group = lines.find((l) => l.includes("HYPERLINK") && !l.startsWith(",,"));
    assert.match(group, /^0:30,"'=HYPERLINK\(""https:\/\/evil.example"",""click""\)",,,,,,,$/);
    const record = lines.find((l) => l.includes("HYPERLINK") && l.startsWith(",,"));
    assert.match(record, /,"'=HYPERLINK\(/);
    assert.match(record, /,"'=user",/);
    for (const line of lines.slice(2)) {
        // no field (outside quotes) starts with a formula character
        assert.doesNotMatch(line, /(^|,)[=+\-@\t\r]/, line);
    }
});

test("export then import gives the same records, in CSV and TSV, every time format", () => {
    for (const fmt of ["local", "unix", "iso"]) {
        const rows = exporter.export_rows(HOSTILE, fmt);
        for (const [name, text] of [["csv", exporter.to_csv(rows)], ["tsv", exporter.to_tsv(rows)]]) {
            for (const line of text.split("\r\n")) {
                const fields = name === "tsv" ? line.split("\t") : [line];
                for (const f of fields) {
                    assert.doesNotMatch(f, /^[=+\-@]/, `${name} ${fmt}: ${f}`);
                }
            }
            const back = importer.analyse(text, { now: 1 });
            assert.equal(back.ok, true, name);
            assert.deepEqual(back.errors, [], name);
            assert.deepEqual(
                back.records.map((r) => [r.key, r.t1, r.t2, r.ds]),
                HOSTILE.map((r) => [r.key, r.t1, r.t2, r.ds]),
                `${name} ${fmt}`,
            );
        }
    }
});
