// exporter: the export table in Local / Unix / ISO formats (IE-10), and its round trip
// through the importer.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: L, record: rec } = require("./harness.js");

useZone();

const exporter = load("exporter");
const importer = load("importer");

// Stored records (descriptions are stored normalised).
const RECORDS = [
    rec("aBcDeFgH", L(2024, 3, 18, 9), L(2024, 3, 18, 10, 30, 15), '#client1 #code fix the "parser", again'),
    rec("k2", L(2024, 3, 18, 11), L(2024, 3, 18, 11, 5), ""),
    rec("k3", L(2024, 3, 19, 23, 30), L(2024, 3, 20, 1), "plain words; with a semicolon"),
    rec("k4", L(2024, 7, 1, 8), L(2024, 7, 1, 9), "#日本 #hë travel"),
    rec("k5", L(2024, 3, 18, 12), L(2024, 3, 18, 13), "HIDDEN #client1 deleted"),
    rec("k6", L(2024, 3, 31, 1, 30), L(2024, 3, 31, 3, 30), "#dst spring night"), // one hour, across the change
];

test("IE-10 export rows in the three formats", () => {
    const local = exporter.export_rows(RECORDS, "local");
    assert.deepEqual(local[0], ["key", "start", "stop", "tags", "description"]);
    assert.equal(local.length, 6); // the hidden record is left out
    assert.deepEqual(local[1], ["aBcDeFgH", "2024-03-18 09:00:00", "2024-03-18 10:30:15", "#client1 #code", '#client1 #code fix the "parser", again']);
    assert.deepEqual(local[2], ["k2", "2024-03-18 11:00:00", "2024-03-18 11:05:00", "", ""]);
    assert.deepEqual(local[4], ["k4", "2024-07-01 08:00:00", "2024-07-01 09:00:00", "#hë #日本", "#日本 #hë travel"]);
    assert.deepEqual(local[5], ["k6", "2024-03-31 01:30:00", "2024-03-31 03:30:00", "#dst", "#dst spring night"]);
    const unix = exporter.export_rows(RECORDS, "unix");
    assert.deepEqual(unix[1].slice(0, 3), ["aBcDeFgH", String(Date.UTC(2024, 2, 18, 8) / 1000), String(Date.UTC(2024, 2, 18, 9, 30, 15) / 1000)]);
    const iso = exporter.export_rows(RECORDS, "iso");
    assert.deepEqual(iso[1].slice(0, 3), ["aBcDeFgH", "2024-03-18T08:00:00Z", "2024-03-18T09:30:15Z"]);
    assert.deepEqual(iso[4].slice(1, 3), ["2024-07-01T06:00:00Z", "2024-07-01T07:00:00Z"]);
    assert.deepEqual(exporter.export_rows(RECORDS).slice(1), local.slice(1)); // Local is the default
    assert.deepEqual(exporter.FORMATS.map((f) => f[0]), ["local", "unix", "iso"]);
});

test("IE-10 text forms: tab-separated and CSV", () => {
    const rows = exporter.export_rows(RECORDS.slice(0, 2), "unix");
    assert.equal(
        exporter.to_tsv(rows),
        "key\tstart\tstop\ttags\tdescription\r\n" +
            `aBcDeFgH\t${L(2024, 3, 18, 9)}\t${L(2024, 3, 18, 10, 30, 15)}\t#client1 #code\t#client1 #code fix the "parser", again\r\n` +
            `k2\t${L(2024, 3, 18, 11)}\t${L(2024, 3, 18, 11, 5)}\t\t`,
    );
    assert.equal(
        exporter.to_csv(rows).split("\r\n")[1],
        `aBcDeFgH,${L(2024, 3, 18, 9)},${L(2024, 3, 18, 10, 30, 15)},#client1 #code,"#client1 #code fix the ""parser"", again"`,
    );
    assert.equal(exporter.export_filename(L(2024, 3, 18, 12)), "timetagger-export-20240318.csv");
});

test("IE-10 every format round-trips through the importer", () => {
    const expected = RECORDS.filter((r) => !r.ds.startsWith("HIDDEN")).map((r) => ({ key: r.key, t1: r.t1, t2: r.t2, ds: r.ds }));
    for (const fmt of ["local", "unix", "iso"]) {
        for (const [name, toText] of [["tsv", exporter.to_tsv], ["csv", exporter.to_csv]]) {
            const text = toText(exporter.export_rows(RECORDS, fmt));
            const result = importer.analyse(text, { existing: RECORDS, now: 1710000000 });
            assert.equal(result.ok, true);
            assert.equal(result.format, "timetagger", `${fmt} ${name}`);
            assert.deepEqual(Array.from(result.errors), [], `${fmt} ${name}`);
            const got = result.records.map((r) => ({ key: r.key, t1: r.t1, t2: r.t2, ds: r.ds }));
            // a record of 0 s would come back as 1 s; there is none here
            assert.deepEqual(got, expected, `${fmt} ${name}`);
            assert.equal(result.new_count, 0, `${fmt} ${name}`);
            assert.equal(result.log[result.log.length - 1], "Found 5 (0 new).");
        }
    }
});

test("IE-10 Local times are ambiguous in the repeated autumn hour; Unix and ISO are not", () => {
    // 02:30 CET on 27 Oct 2024 exists twice on the local clock (CEST first, then CET).
    const second = rec("late", Date.UTC(2024, 9, 27, 1, 30) / 1000, Date.UTC(2024, 9, 27, 2, 30) / 1000, "#night");
    const local = exporter.export_rows([second], "local");
    assert.deepEqual(local[1].slice(1, 3), ["2024-10-27 02:30:00", "2024-10-27 03:30:00"]);
    const back = importer.analyse(exporter.to_tsv(local), { now: 1 }).records[0];
    assert.equal(back.t1, second.t1 - 3600); // read as the first 02:30 (CEST)
    // a stop in the repeated hour that would come before the start is read as the second one
    const across = rec("x", Date.UTC(2024, 9, 27, 0, 40) / 1000, Date.UTC(2024, 9, 27, 1, 10) / 1000, "#night"); // 02:40 CEST - 02:10 CET
    const rows = exporter.export_rows([across], "local");
    assert.deepEqual(rows[1].slice(1, 3), ["2024-10-27 02:40:00", "2024-10-27 02:10:00"]);
    const r = importer.analyse(exporter.to_tsv(rows), { now: 1 });
    assert.deepEqual(Array.from(r.errors), []);
    assert.deepEqual([r.records[0].t1, r.records[0].t2], [across.t1, across.t2]);
    for (const fmt of ["unix", "iso"]) {
        const r = importer.analyse(exporter.to_tsv(exporter.export_rows([second], fmt)), { now: 1 }).records[0];
        assert.deepEqual([r.t1, r.t2], [second.t1, second.t2], fmt);
    }
});
