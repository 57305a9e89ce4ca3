// reportcharts: what the report's charts show (time per tag, per period stacked by tag),
// that both add up to the report's total, the column layout, and the charts' page of the
// PDF in the tag colours, with the amounts of rated tags; what the charts say to screen
// readers.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("path");
const { load, useZone, record: rec } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");
const charts = load("reportcharts");
const pdf = load("pdfexport");
globalThis.navigator = globalThis.navigator || { userAgent: "node" };
const { jsPDF } = require(path.join(__dirname, "..", "..", "site_src", "vendor", "jspdf.umd.min.js"));

const T = (mo, d, h = 0, mi = 0) => dt.make_time(2024, mo, d, h, mi);
const WEEK = [T(2, 5), T(2, 12)];
const NOW = T(2, 20);
const COLORS = { "#code": "#E6316C", "#meeting": "#387DD2", "#admin": "red", "#client1": "#22AA22" };
const colorOf = (tag) => COLORS[tag] || "#DEAA22";

const RECORDS = [
    rec("a", T(2, 5, 9), T(2, 5, 11), "#client1 #code"),
    rec("b", T(2, 5, 13), T(2, 5, 14), "#client1 #meeting"),
    rec("c", T(2, 6, 9), T(2, 6, 12), "#client2 #code"),
    rec("d", T(2, 7, 9), T(2, 7, 9, 30), "#admin"),
    rec("e", T(2, 9, 9), T(2, 9, 10), "no tags at all"),
];

function build(options) {
    return reports.build_report(RECORDS, WEEK[0], WEEK[1], Object.assign({ now: NOW }, options));
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// The leading tags are those the report's group titles start with (better tag order):
// "#code #client2", "#code #client1", "#meeting #client1", "#untagged", "#admin".
test("time per tag: every record once, for its leading tag; bars add up to the total", () => {
    for (const grouping of reports.GROUPINGS) {
        const r = build({ grouping });
        const data = charts.chart_data(r, colorOf);
        assert.equal(data.total, r.total);
        assert.equal(sum(data.tags.map((t) => t.seconds)), r.total, grouping);
        const byTag = Object.fromEntries(data.tags.map((t) => [t.key, t.seconds]));
        assert.deepEqual(
            data.tags.map((t) => [t.key, t.seconds]),
            [["#code", 5 * 3600], ["#meeting", 3600], ["#untagged", 3600], ["#admin", 1800]],
            grouping
        );
        const titles = r.rows.filter((row) => row.type === "group").map((row) => row.tags[0]);
        for (const tag of grouping === "tagz" ? titles : []) {
            assert.ok(byTag[tag] > 0, `${tag} leads a group title and has a bar`);
        }
        assert.equal(data.tags.find((t) => t.key === "#code").color, "#E6316C");
        assert.equal(data.tags.find((t) => t.key === "#admin").color, "red");
    }
});

test("the filter tags are left out: a filtered report charts the tags beside them", () => {
    const r = build({ tags: ["#code"] });
    const data = charts.chart_data(r, colorOf);
    assert.deepEqual(
        data.tags.map((t) => [t.key, t.seconds]),
        [["#client2", 3 * 3600], ["#client1", 2 * 3600]]
    );
});

test("time per period: the report's period, else one from the range; stacks add up", () => {
    const r = build({ groupperiod: "none" });
    const data = charts.chart_data(r, colorOf);
    assert.equal(data.period, "day");
    assert.equal(data.periods.length, 7, "a column per day of the week, empty ones too");
    assert.deepEqual(
        data.periods.map((p) => p.total / 3600),
        [3, 3, 0.5, 0, 1, 0, 0]
    );
    for (const p of data.periods) {
        assert.equal(sum(Object.values(p.parts)), p.total, p.label);
    }
    assert.equal(sum(data.periods.map((p) => p.total)), r.total);
    assert.deepEqual(data.periods[0].parts, { "#code": 2 * 3600, "#meeting": 3600 });
    const weekly = charts.chart_data(build({ groupperiod: "week" }), colorOf);
    assert.equal(weekly.period, "week");
    assert.equal(weekly.periods.length, 1);
    assert.equal(weekly.periods[0].label, "2024W6");
    assert.equal(weekly.periods[0].short, "W6");
    assert.deepEqual(data.periods.map((p) => p.short).slice(0, 2), ["5 Feb", "6 Feb"]);
    const monthly = charts.chart_data(build({ groupperiod: "month" }), colorOf);
    assert.equal(monthly.periods[0].short, "Feb 24");
    assert.equal(charts.auto_period(T(1, 1), T(1, 2)), "none");
    assert.equal(charts.auto_period(T(1, 1), T(2, 1)), "day");
    assert.equal(charts.auto_period(T(1, 1), T(4, 1)), "week");
    assert.equal(charts.auto_period(T(1, 1), T(12, 31)), "month");
    assert.equal(charts.auto_period(T(1, 1), dt.make_time(2030, 1, 1)), "year");
    const oneDay = reports.build_report(RECORDS, T(2, 5), T(2, 6), { now: NOW });
    const single = charts.chart_data(oneDay, colorOf);
    assert.equal(single.periods.length, 1);
    assert.equal(single.periods[0].total, 3 * 3600);
});

test("more than MAX_TAGS tags: the smallest are summed into Other", () => {
    const many = [];
    for (let i = 0; i < 20; i++) {
        many.push(rec("m" + i, T(2, 5, 0) + i * 3600, T(2, 5, 0) + i * 3600 + 60 * (i + 1), `#t${i}`));
    }
    const r = reports.build_report(many, WEEK[0], WEEK[1], { now: NOW, format: "hms" });
    const data = charts.chart_data(r, colorOf);
    assert.equal(data.tags.length, charts.MAX_TAGS);
    assert.equal(data.tags[data.tags.length - 1].key, charts.OTHER);
    assert.equal(sum(data.tags.map((t) => t.seconds)), r.total);
    assert.equal(sum(Object.values(data.periods[0].parts)), r.total);
    assert.equal(data.periods[0].parts[charts.OTHER], sum([...Array(9).keys()].map((i) => 60 * (i + 1))));
});

test("chart_labels: what the charts say to screen readers, per tag and per period", () => {
    const days = charts.chart_labels(charts.chart_data(build({ grouping: "tagz" }), colorOf));
    assert.deepEqual(days, {
        period: "day",
        tags: "Time per tag: #code 5h, #meeting 1h, #untagged 1h, #admin 30m",
        periods:
            "Time per day: 05-02-2024 3h, 06-02-2024 3h, 07-02-2024 30m, 08-02-2024 0m, " +
            "09-02-2024 1h, 10-02-2024 0m, 11-02-2024 0m",
    });
    const week = charts.chart_labels(charts.chart_data(build({ grouping: "tagz", groupperiod: "week" }), colorOf));
    assert.equal(week.period, "week");
    assert.equal(week.periods, "Time per week: 2024W6 7h30");
    const oneDay = reports.build_report(RECORDS, T(2, 5), T(2, 6), { now: NOW });
    const range = charts.chart_labels(charts.chart_data(oneDay, colorOf));
    assert.deepEqual(range, { period: "range", tags: "Time per tag: #client1 3h", periods: "Time per range: range 3h" });
});

test("bar_layout: columns fit, labels never overlap, the scale is round", () => {
    const data = charts.chart_data(build({ groupperiod: "day" }), colorOf);
    const measure = (t) => t.length * 7;
    const lay = charts.bar_layout(data, 320, 180, measure);
    assert.ok(lay.x0 + lay.plot_w <= 320);
    assert.ok(lay.bar_w <= lay.step);
    const widest = Math.max(...data.periods.map((p) => p.short.length));
    assert.equal(widest, 6); // "10 Feb"
    assert.ok(lay.label_every * lay.step >= widest * 7 + 8, "the widest label fits its slot");
    const narrow = charts.bar_layout(data, 120, 180, measure);
    assert.ok(narrow.label_every > 1, "a narrow chart labels every other column or fewer");
    assert.ok(narrow.label_every * narrow.step >= widest * 7 + 8);
    assert.equal(lay.max_hours % lay.step_hours, 0);
    assert.ok(lay.max_hours >= 3);
    assert.equal(charts.nice_step(3), 1);
    assert.equal(charts.nice_step(40), 10);
    assert.equal(charts.nice_step(0), 0.5);
    assert.equal(charts.short_duration(5400), "1h30");
    assert.equal(charts.short_duration(2700), "45m");
    assert.equal(charts.short_duration(7200), "2h");
});

function rgbOf(hex) {
    // jsPDF writes fill colours with two decimals, trailing zeros dropped
    const n = (i) => String(parseFloat((parseInt(hex.slice(i, i + 2), 16) / 255).toFixed(2)));
    return `${n(1)} ${n(3)} ${n(5)} rg`;
}

test("the PDF's charts page: the bars in the tag colours, amounts in the table", () => {
    const r = build({ grouping: "tagz", rates: { "#client1": 50 }, currency: "EUR" });
    const info = { tags: "all", from: "05-02-2024", until: "11-02-2024", color_of: colorOf };
    const doc = pdf.build_pdf({ jsPDF, fonts: null, compress: false }, r, info);
    const text = doc.output();
    assert.equal(doc.getNumberOfPages(), 2);
    assert.match(text, /\(Time per tag\) Tj/);
    assert.match(text, /\(#code\) Tj/);
    assert.match(text, /\(5h\) Tj/);
    assert.ok(text.includes(rgbOf("#E6316C")), "a bar in #code's colour");
    assert.ok(text.includes(rgbOf("#387DD2")), "a bar in #meeting's colour");
    assert.equal(charts.to_hex("#abc"), "#AABBCC");
    // amounts: 3 h of #client1 at 50
    assert.match(text, /\(150.00 EUR\) Tj/);
    assert.match(text, /\(100.00 EUR\) Tj/);
    // an empty report has no charts page
    const empty = reports.build_report([], WEEK[0], WEEK[1], { now: NOW });
    assert.equal(pdf.build_pdf({ jsPDF, fonts: null, compress: false }, empty, info).getNumberOfPages(), 1);
});
