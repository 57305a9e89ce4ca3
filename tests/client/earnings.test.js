// Earnings: hourly rates per tag (taginfo), the rule for records with several rated
// tags (the highest rate applies), amounts per record, group and total for every
// grouping and period, the CSV amount column, and the tag dialog's rate field.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, record: rec } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");
const stores = load("stores");
const settings = load("settings");
const taginfo = load("taginfo");
const td = load("tagdialogs");

const T = (mo, d, h = 0, mi = 0, s = 0) => dt.make_time(2024, mo, d, h, mi, s);
const WEEK = [T(2, 5), T(2, 12)];
const NOW = T(2, 9, 17);
const RATES = { "#client1": 80, "#client2": 100, "#code": 90, "#free": 0 };

// Hours and what they earn, by hand (highest rate of the record's tags):
//   r1 Mon 1:30 #client1 #code      -> 90  -> 135.00
//   r2 Mon 0:30 #client1 #meeting   -> 80  ->  40.00
//   r3 Tue 2:00 #client2 #code      -> 100 -> 200.00
//   r4 Tue 1:00 #admin              -> none ->  0 (unrated)
//   r5 Wed 0:20 #client1            -> 80  ->  26.67 (1/3 h * 80 = 26.666..)
//   r6 Wed 1:00 #free #client1      -> 80 (0 is a rate, but not the highest) -> 80.00
//   r7 Thu 1:00 #free               -> 0 (rated at zero) -> 0.00
const RECORDS = [
    rec("r1", T(2, 5, 9), T(2, 5, 10, 30), "#client1 #code parser"),
    rec("r2", T(2, 5, 11), T(2, 5, 11, 30), "#client1 #meeting standup"),
    rec("r3", T(2, 6, 9), T(2, 6, 11), "#client2 #code api"),
    rec("r4", T(2, 6, 13), T(2, 6, 14), "#admin mail"),
    rec("r5", T(2, 7, 9), T(2, 7, 9, 20), "#client1 call"),
    rec("r6", T(2, 7, 10), T(2, 7, 11), "#free #client1 pro bono"),
    rec("r7", T(2, 8, 10), T(2, 8, 11), "#free helping out"),
];
const CENTS = { r1: 13500, r2: 4000, r3: 20000, r4: 0, r5: 2667, r6: 8000, r7: 0 };
const TOTAL = 13500 + 4000 + 20000 + 2667 + 8000;

function report(options) {
    return reports.build_report(RECORDS, WEEK[0], WEEK[1], Object.assign({ now: NOW, rates: RATES }, options));
}

function sumRecords(r) {
    return r.rows.filter((row) => row.type === "record").reduce((a, row) => a + row.cents, 0);
}

test("rate_of: the highest rate among the record's tags; only numbers >= 0 count", () => {
    assert.equal(reports.rate_of(["#client1", "#code"], RATES), 90);
    assert.equal(reports.rate_of(["#client2", "#code"], RATES), 100);
    assert.equal(reports.rate_of(["#free"], RATES), 0);
    assert.equal(reports.rate_of(["#free", "#client1"], RATES), 80);
    assert.equal(reports.rate_of(["#admin"], RATES), null);
    assert.equal(reports.rate_of(["#client1"], null), null);
    const bad = { "#a": "90", "#b": -5, "#c": NaN, "#d": Infinity, "#e": { x: 1 }, "#f": null };
    assert.equal(reports.rate_of(["#a", "#b", "#c", "#d", "#e", "#f"], bad), null);
    assert.equal(reports.rate_of(["#a", "#g"], Object.assign({ "#g": 12.5 }, bad)), 12.5);
    // a function works like a dict (the dialog passes taginfo.get_tag_rate)
    assert.equal(reports.rate_of(["#x", "#y"], (tag) => (tag === "#y" ? 7 : null)), 7);
    assert.ok(reports.RATE_RULE.includes("highest hourly rate"));
});

test("amounts per record follow the rule, unrated records earn nothing", () => {
    const r = report({ showrecords: true });
    assert.equal(r.has_rates, true);
    for (const row of r.rows.filter((row) => row.type === "record")) {
        assert.equal(row.cents, CENTS[row.key], row.key);
    }
    const byKey = Object.fromEntries(r.rows.filter((row) => row.type === "record").map((row) => [row.key, row]));
    assert.equal(byKey.r4.rate, null);
    assert.equal(byKey.r4.amount_text, "");
    assert.equal(byKey.r7.rate, 0);
    assert.equal(byKey.r7.amount_text, "0.00");
    assert.equal(byKey.r5.amount_text, "26.67");
    assert.equal(r.cents, TOTAL);
    assert.equal(r.amount_text, "481.67");
    assert.equal(r.rows[0].amount_text, "481.67");
});

test("every grouping and period: groups sum to the total, each group to its records", () => {
    for (const grouping of reports.GROUPINGS) {
        for (const groupperiod of reports.PERIODS) {
            const name = `${grouping}/${groupperiod}`;
            const r = report({ grouping, groupperiod, showrecords: true });
            assert.equal(r.cents, TOTAL, name);
            assert.equal(r.rows[0].cents, TOTAL, name);
            assert.equal(sumRecords(r), TOTAL, name);
            // each group row equals the records listed below it
            let group = null;
            let sum = 0;
            let groupsTotal = 0;
            const check = () => {
                if (group) {
                    assert.equal(group.cents, sum, `${name} ${group.title}`);
                    assert.equal(group.amount_text, reports.format_amount(sum), name);
                    groupsTotal += group.cents;
                }
            };
            for (const row of r.rows) {
                if (row.type === "group") {
                    check();
                    group = row;
                    sum = 0;
                } else if (row.type === "record") {
                    sum += row.cents;
                }
            }
            check();
            if (grouping !== "none" || groupperiod !== "none") {
                assert.equal(groupsTotal, TOTAL, name);
            }
            // without records shown the group rows still carry the same amounts
            const compact = report({ grouping, groupperiod, showrecords: false });
            const groupRows = compact.rows.filter((row) => row.type === "group");
            if (groupRows.length) {
                assert.equal(
                    groupRows.reduce((a, row) => a + row.cents, 0),
                    TOTAL,
                    name + " (no records)"
                );
            }
        }
    }
});

test("grouping by tags: amounts per combination", () => {
    const r = report({ grouping: "tagz", showrecords: false });
    const byTitle = Object.fromEntries(r.rows.filter((row) => row.type === "group").map((row) => [row.title, row.cents]));
    assert.equal(byTitle["#client1 #code"], 13500);
    assert.equal(byTitle["#client1 #meeting"], 4000);
    assert.equal(byTitle["#client2 #code"], 20000);
    assert.equal(byTitle["#admin"], 0);
    assert.equal(byTitle["#client1"], 2667);
    assert.equal(byTitle["#client1 #free"], 8000);
    assert.equal(byTitle["#free"], 0);
    // per day
    const daily = report({ grouping: "none", groupperiod: "day", showrecords: false });
    assert.deepEqual(
        daily.rows.filter((row) => row.type === "group").map((row) => row.cents),
        [17500, 20000, 10667, 0]
    );
});

test("amounts use the rounded durations of the report format", () => {
    // whole hours: r5 (20 min) rounds to 0 h and earns nothing; r1 1:30 rounds to 2 h
    const r = report({ format: "h0", showrecords: true });
    const byKey = Object.fromEntries(r.rows.filter((row) => row.type === "record").map((row) => [row.key, row.cents]));
    assert.equal(byKey.r5, 0);
    assert.equal(byKey.r1, 18000);
    assert.equal(r.cents, sumRecords(r));
});

test("no rates: no amounts, and the CSV keeps its RP-12 columns", () => {
    const r = report({ rates: null, grouping: "tagz" });
    assert.equal(r.has_rates, false);
    assert.equal(r.cents, 0);
    const lines = reports.to_csv(r, "").split("\r\n");
    assert.equal(lines[0], reports.CSV_HEADER);
    assert.equal(reports.table_rows(r, "")[0].length, 9);
    // rates on tags that have no records in the report do not count either
    const other = report({ rates: { "#nobody": 50 } });
    assert.equal(other.has_rates, false);
});

test("CSV: an amount column with plain numbers, the currency in its header", () => {
    const r = report({ grouping: "tagz", currency: "EUR" });
    assert.equal(r.amount_text, "481.67 EUR");
    const lines = reports.to_csv(r, "").split("\r\n");
    assert.equal(lines[0], reports.CSV_HEADER + ",amount EUR");
    assert.equal(lines[1], "");
    assert.equal(lines[2], '7:20,"Total",,,,,,,,481.67');
    assert.ok(lines[2].endsWith(",481.67"), lines[2]);
    const recordLine = lines.find((line) => line.includes("parser"));
    assert.ok(recordLine.endsWith(",135.00"), recordLine);
    const unrated = lines.find((line) => line.includes("mail"));
    assert.ok(unrated.endsWith(",#admin,"), unrated);
    assert.ok(lines.includes('1:00,"#free",,,,,,,,0.00'), lines.join("\n"));
    // a hostile currency is data: cut to 8 characters, and neutralised in the CSV
    const hostile = report({ currency: "=cmd|' /C calc'!A0" });
    assert.equal(hostile.options.currency, "=cmd|' /");
    const header = reports.to_csv(hostile, "").split("\r\n")[0];
    assert.ok(header.endsWith(",amount =cmd|' /"), header);
    // a currency that is all formula would be neutralised like any field
    const formula = reports.to_csv(report({ rates: RATES }), "").split("\r\n")[0];
    assert.ok(formula.endsWith(",amount"), formula);
    assert.equal(reports.clean_currency(42), "");
    assert.equal(reports.clean_currency("  $ "), "$");
});

test("taginfo: a rate is stored, synced and read back; anything else is no rate", () => {
    localStorage.clear();
    const store = new stores.SandboxDataStore();
    store.close();
    assert.equal(taginfo.get_tag_rate("#code"), null);
    taginfo.set_tag_info("#code", { color: "", priority: 1, targets: {}, rate: 85.5 });
    assert.deepEqual(store.settings.get_by_key("taginfo #code").value, {
        color: "",
        priority: 0,
        targets: {},
        rate: 85.5,
    });
    assert.equal(taginfo.get_tag_rate("#code"), 85.5);
    assert.equal(taginfo.get_tag_info("#code").rate, 85.5);
    // an info without a rate key keeps the rate (the combo dialog, a colour change)
    taginfo.set_tag_info("#code", { color: "#ff0000", priority: 1, targets: { week: 4 } });
    assert.equal(taginfo.get_tag_rate("#code"), 85.5);
    // rate None removes it
    taginfo.set_tag_info("#code", { color: "#ff0000", priority: 1, targets: {}, rate: null });
    assert.equal(taginfo.get_tag_rate("#code"), null);
    assert.equal("rate" in store.settings.get_by_key("taginfo #code").value, false);
    // strict: values another client (or an API token) wrote are ignored unless numbers >= 0
    for (const bad of ["90", -1, NaN, null, true, [90], { v: 1 }, 1e12]) {
        settings.set("taginfo #bad", { color: "", priority: 0, targets: {}, rate: bad });
        assert.equal(taginfo.get_tag_rate("#bad"), null, JSON.stringify(bad));
        assert.equal(taginfo.get_tag_info("#bad").rate, null, JSON.stringify(bad));
    }
    settings.set("taginfo #ok", { rate: 0 });
    assert.equal(taginfo.get_tag_rate("#ok"), 0);
    // a rate alone is worth storing
    taginfo.set_tag_info("#solo", { color: "", priority: 1, targets: {}, rate: 10 });
    assert.equal(store.settings.get_by_key("taginfo #solo").value.rate, 10);
});

test("tag dialog: parse_rate accepts numbers >= 0 and empty, refuses the rest", () => {
    assert.deepEqual(Array.from(td.parse_rate("")), [true, null]);
    assert.deepEqual(Array.from(td.parse_rate("  ")), [true, null]);
    assert.deepEqual(Array.from(td.parse_rate("85")), [true, 85]);
    assert.deepEqual(Array.from(td.parse_rate("12,50")), [true, 12.5]);
    assert.deepEqual(Array.from(td.parse_rate(".5")), [true, 0.5]);
    assert.deepEqual(Array.from(td.parse_rate("0")), [true, 0]);
    for (const bad of ["-3", "abc", "1e3", "12.5.1", "€12", "9999999999"]) {
        assert.deepEqual(Array.from(td.parse_rate(bad)), [false, null], bad);
    }
});
