// pdfexport: the page layout of the report PDF (RP-13) and the document built with
// the vendored jsPDF (Helvetica here, so the text can be read back from the file).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("path");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");
const pdf = load("pdfexport");
// The harness makes `window` the global object, so jsPDF takes node for a browser.
globalThis.navigator = globalThis.navigator || { userAgent: "node" };
const { jsPDF } = require(path.join(__dirname, "..", "..", "site_src", "vendor", "jspdf.umd.min.js"));

const T = (mo, d, h = 0, mi = 0) => dt.make_time(2024, mo, d, h, mi);
const MARCH = [T(3, 1), T(4, 1)];
const NOW = T(4, 2, 12);

// n records per tag combination, one hour each, spread over March.
function makeRecords(spec) {
    const records = [];
    let k = 0;
    for (const [ds, n] of spec) {
        for (let i = 0; i < n; i++) {
            const t1 = T(3, 1 + (i % 28), 8 + (k % 9));
            records.push({ key: "k" + k, t1, t2: t1 + 3600, ds: `${ds} item ${i}`, mt: t1, st: 0 });
            k += 1;
        }
    }
    return records;
}

function build(records, options) {
    return reports.build_report(records, MARCH[0], MARCH[1], Object.assign({ now: NOW, grouping: "tagz" }, options));
}

// A stand-in for the font: 2 mm per character (bold 2.2 mm).
const measure = (text, bold) => String(text).length * (bold ? 2.2 : 2);

function checkBounds(pages) {
    for (const page of pages) {
        let y = -1;
        for (const item of page) {
            assert.ok(item.y >= pdf.TABLE_TOP - 1e-9, `item above the table top: ${item.y}`);
            assert.ok(item.y + item.h <= pdf.BOTTOM + 1e-9, `item crosses the bottom margin: ${item.y + item.h}`);
            assert.ok(item.y >= y, "items go down the page");
            y = item.y + item.h;
        }
    }
}

// Where each group's rows ended up: {title: Set(page numbers)}
function groupPages(pages) {
    const res = {};
    let title = null;
    pages.forEach((page, p) => {
        for (const item of page) {
            if (item.kind === "group") {
                title = item.row.title;
            }
            if (item.kind === "group" || item.kind === "record") {
                (res[title] = res[title] || new Set()).add(p);
            }
        }
    });
    return res;
}

test("wrap_text breaks at spaces and inside over-long words", () => {
    const m = (s) => s.length;
    assert.deepEqual(Array.from(pdf.wrap_text("aa bb cc dd", 5, m)), ["aa bb", "cc dd"]);
    assert.deepEqual(Array.from(pdf.wrap_text("abcdefghijkl x", 5, m)), ["abcde", "fghij", "kl x"]);
    assert.deepEqual(Array.from(pdf.wrap_text("", 5, m)), [""]);
    assert.deepEqual(Array.from(pdf.wrap_text("fits", 5, m)), ["fits"]);
});

test("columns follow the widest duration and date", () => {
    const r = build(makeRecords([["#a", 3]]), { format: "hms" });
    const cols = pdf.columns(r, measure);
    assert.ok(cols.dur_right >= pdf.MARGIN + 15);
    assert.ok(cols.date > cols.dur_right && cols.start > cols.date && cols.stop > cols.start && cols.desc > cols.stop);
    assert.equal(Math.round((cols.desc + cols.desc_w) * 1000), (210 - 20) * 1000);
});

test("groups that fit a page are never split: moved to a new page instead", () => {
    // 3 groups of header + 30 rows (186 mm): one page each
    const r = build(makeRecords([["#a", 30], ["#b", 30], ["#c", 30]]));
    const placed = pdf.layout(r, measure);
    const pages = placed.pages;
    assert.equal(pages.length, 3);
    checkBounds(pages);
    assert.equal(pages[0][0].kind, "total");
    assert.equal(pages[0][0].y, pdf.TABLE_TOP_FIRST);
    const where = groupPages(pages);
    assert.deepEqual(Object.keys(where).sort(), ["#a", "#b", "#c"]);
    for (const title of Object.keys(where)) {
        assert.equal(where[title].size, 1, `${title} split over pages`);
    }
    assert.equal(pages.flat().filter((i) => i.kind === "continued").length, 0);
    // the 3 mm gap before a group that follows another on the same page
    assert.equal(pages[0][1].y, pdf.TABLE_TOP_FIRST + pdf.ROW_H + pdf.GROUP_GAP);
    // records alternate two light fills
    const recs = pages[0].filter((i) => i.kind === "record");
    assert.notEqual(recs[0].fill, recs[1].fill);
    assert.equal(recs[0].fill, recs[2].fill);
});

test("small groups share a page; a group split over pages repeats its title", () => {
    const r = build(makeRecords([["#small", 5], ["#big", 60], ["#tail", 4]]));
    const pages = pdf.layout(r, measure).pages;
    checkBounds(pages);
    const where = groupPages(pages);
    assert.equal(where["#big"].size, 2, "a 60-record group spans two pages");
    const cont = pages.flat().filter((i) => i.kind === "continued");
    assert.equal(cont.length, 1);
    assert.equal(cont[0].lines[0], "#big (continued)");
    const contPage = pages.findIndex((p) => p.includes(cont[0]));
    assert.equal(pages[contPage][0], cont[0], "the repeated title heads the page");
    // every record is placed exactly once
    const placedRecords = pages.flat().filter((i) => i.kind === "record").length;
    assert.equal(placedRecords, 69);
    // TG-14 order: #big (60 h) first, right below the total; #small and #tail fit after
    // its continuation on page 2
    assert.deepEqual([...where["#big"]], [0, 1]);
    assert.deepEqual([...where["#small"]], [1]);
    assert.deepEqual([...where["#tail"]], [1]);
    assert.equal(pages.length, 2);
});

test("long descriptions wrap onto more lines and make the row taller", () => {
    const t1 = T(3, 4, 9);
    const long = "#a " + "word ".repeat(45).trim(); // under the 255 characters of a description
    const r = build([{ key: "x", t1, t2: t1 + 600, ds: long, mt: 0, st: 0 }]);
    const placed = pdf.layout(r, measure);
    const item = placed.pages[0].find((i) => i.kind === "record");
    assert.ok(item.lines.length > 1);
    assert.equal(item.h, pdf.ROW_H + (item.lines.length - 1) * pdf.LINE_H);
    for (const line of item.lines) {
        assert.ok(measure(line) <= placed.cols.desc_w + 1e-9);
    }
    assert.equal(item.lines.join(" "), long);
});

test("without records: group rows only, alternating fills, no gaps", () => {
    const r = build(makeRecords([["#a", 3], ["#b", 2], ["#c", 1]]), { showrecords: false });
    const items = pdf.layout(r, measure).pages[0];
    assert.deepEqual(items.map((i) => i.kind), ["total", "group", "group", "group"]);
    assert.equal(items[1].y, items[0].y + items[0].h);
    assert.notEqual(items[1].fill, items[2].fill);
    assert.equal(items[1].fill, items[3].fill);
});

test("build_pdf: title, range, rows and page numbers in the document", () => {
    const records = makeRecords([["#client1 #code", 40], ["#client2", 45]]);
    records.push({ key: "q", t1: T(3, 30, 9), t2: T(3, 30, 10), ds: '#client2 say "hi", ok', mt: 0, st: 0 });
    const r = build(records);
    const info = { tags: "all", from: "01-03-2024", until: "31-03-2024" };
    const doc = pdf.build_pdf({ jsPDF, fonts: null, compress: false }, r, info);
    const text = doc.output();
    const pages = pdf.layout(r, (t, bold) => {
        doc.setFont("helvetica", bold ? "bold" : "normal");
        doc.setFontSize(pdf.FONT_SIZE);
        return doc.getTextWidth(String(t));
    }).pages;
    assert.equal(doc.getNumberOfPages(), pages.length + 1, "the table's pages and the charts");
    assert.ok(pages.length >= 2);
    assert.match(text, /\(Time record report\) Tj/);
    assert.match(text, /\(01-03-2024\) Tj/);
    assert.match(text, /\(31-03-2024\) Tj/);
    assert.match(text, /\(1\/\d\) Tj/);
    const n = pages.length + 1;
    assert.match(text, new RegExp(`\\(${n}/${n}\\) Tj`));
    assert.match(text, /\(Time per tag\) Tj/);
    assert.match(text, /\(Time per period\) Tj/);
    assert.match(text, /\(Total\) Tj/);
    assert.match(text, /\(86:00\) Tj/, "the total of 86 one-hour records");
    assert.match(text, /\(#client1 #code\) Tj/);
    assert.match(text, /\(#client2 say "hi", ok\) Tj/);
    assert.match(text, /\/Title \(Time record report 01-03-2024 - 31-03-2024\)/);
});
