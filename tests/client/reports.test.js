// reports: report rows for every grouping and period, duration formats and rounding,
// running records, CSV text and file names (RP-01, RP-04 ... RP-09, RP-12; quirks 4-7).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, record: rec } = require("./harness.js");

useZone();

const dt = load("dt");
const reports = load("reports");

const T = (mo, d, h = 0, mi = 0, s = 0) => dt.make_time(2024, mo, d, h, mi, s);

// A working week, Mon 5 Feb 2024 .. Sun 11 Feb (Amsterdam, CET).
const NOW = T(2, 9, 17, 15, 30);
const RECORDS = [
    rec("r1", T(2, 5, 9), T(2, 5, 10, 30), "#client1 #code refactor parser"),
    rec("r2", T(2, 5, 10, 45), T(2, 5, 11, 15), "#client1 #meeting standup"),
    rec("r3", T(2, 5, 13), T(2, 5, 15, 20), '#client2 #code, api "v2"'),
    rec("r4", T(2, 6, 9, 10), T(2, 6, 9, 40, 20), "#client1 #code #paid hotfix"),
    rec("r5", T(2, 6, 23, 30), T(2, 7, 1), "reading, no tags"),
    rec("r6", T(2, 4, 22), T(2, 5, 1), "#client2 #admin"), // starts before the range
    rec("r7", T(2, 7, 9), T(2, 7, 10), "HIDDEN #client1 #code"), // deleted
    rec("r8", T(2, 12, 9), T(2, 12, 10), "#client1 #code next week"), // outside
    rec("r9", T(2, 9, 16), T(2, 9, 16), "#client2 #meeting"), // running since 16:00
    rec("r10", T(2, 8, 14), T(2, 8, 14, 0, 29), "#client1 #design tiny"),
    rec("r11", T(2, 4, 8), T(2, 5, 0), "#client1 #code sunday"), // ends where the range starts
];
const WEEK = [T(2, 5), T(2, 12)];
const PRIOS = { "#paid": 2 };

function report(options) {
    return reports.build_report(RECORDS, WEEK[0], WEEK[1], Object.assign({ now: NOW, priorities: PRIOS }, options));
}

// A compact view of the rows: "total 8:36 Total", "group 2:00 #client1 #code", "- spacer",
// "record 1:30 05-02-2024 09:00-10:30 #client1 #code refactor parser".
function view(r) {
    return r.rows.map((row) => {
        if (row.type === "spacer") {
            return "-";
        } else if (row.type === "record") {
            return `record ${row.duration_text} ${row.date} ${row.start}-${row.stop} ${row.description}`;
        }
        return `${row.type} ${row.duration_text} ${row.title}`;
    });
}

test("RP-01 timeline range to whole dates and back", () => {
    assert.deepEqual(Array.from(reports.range_to_dates(T(2, 5), T(2, 6))), [T(2, 5), T(2, 5)]);
    assert.deepEqual(Array.from(reports.range_to_dates(T(2, 5), T(2, 12))), [T(2, 5), T(2, 11)]);
    // nearest midnights: 13:00 rounds up, 11:00 rounds down
    assert.deepEqual(Array.from(reports.range_to_dates(T(2, 5, 13), T(2, 7, 11))), [T(2, 6), T(2, 6)]);
    // an hour's view is its day
    assert.deepEqual(Array.from(reports.range_to_dates(T(2, 5, 10), T(2, 5, 11))), [T(2, 5), T(2, 5)]);
    // across the DST change: the month of March
    assert.deepEqual(Array.from(reports.range_to_dates(T(3, 1), T(4, 1))), [T(3, 1), T(3, 31)]);
    assert.deepEqual(Array.from(reports.dates_to_range(T(3, 1, 15), T(3, 31))), [T(3, 1), T(4, 1)]);
    assert.deepEqual(Array.from(reports.dates_to_range(T(3, 31), T(3, 1))), [T(3, 1), T(4, 1)]);
});

test("RP-07 rounding and formats", () => {
    assert.equal(reports.format_duration(30960, "hm"), "8:36");
    assert.equal(reports.format_duration(29, "hm"), "0:00");
    assert.equal(reports.format_duration(30, "hm"), "0:01");
    assert.equal(reports.format_duration(32724, "hms"), "9:05:24");
    assert.equal(reports.format_duration(32724, "h0"), "9");
    assert.equal(reports.format_duration(32724, "h1"), "9.1");
    assert.equal(reports.format_duration(32724, "h2"), "9.09");
    assert.equal(reports.format_duration(32724, "h3"), "9.090");
    assert.equal(reports.format_duration(32724, "h4"), "9.0900");
    assert.equal(reports.round_duration(1820, "hm"), 1800);
    assert.equal(reports.round_duration(1800, "h0"), 3600);
    assert.equal(reports.round_duration(1799, "h0"), 0);
    assert.equal(reports.round_duration(8400, "h1"), 8280);
    assert.equal(reports.round_duration(29, "h2"), 36);
    assert.equal(reports.round_duration(29.4, "hms"), 29);
    assert.deepEqual(reports.FORMATS.map((f) => f[1]), ["9", "9:07", "9:07:24", "9.1", "9.12", "9.123"]);
});

test("RP-04 quirk 4: grouping defaults to none; unknown values fall back", () => {
    const opts = reports.normalize_options({});
    assert.equal(opts.grouping, "none");
    assert.equal(opts.groupperiod, "none");
    assert.equal(opts.format, "hm");
    assert.equal(opts.showrecords, true);
    assert.equal(opts.hidesecondary, false);
    assert.equal(reports.normalize_options({ grouping: "date" }).grouping, "none");
    assert.equal(reports.normalize_options({ grouping: "tags" }).grouping, "tagz");
    assert.equal(reports.normalize_options({ grouping: "description" }).grouping, "ds");
    assert.equal(reports.normalize_options({ format: "h9", groupperiod: "decade" }).format, "hm");
    assert.equal(reports.normalize_options({ groupperiod: "decade" }).groupperiod, "none");
    assert.equal(reports.normalize_options({ grouping: "constructor", format: "constructor" }).grouping, "none");
    assert.equal(reports.normalize_options({ format: "toString" }).format, "hm");
    assert.equal(reports.format_duration(90, "toString"), "0:02");
    assert.deepEqual(Array.from(reports.normalize_options({ tags: ["#A", "#a", "#b"] }).tags), ["#a", "#b"]);
});

test("RP-09 grouping none with records: total, one spacer, records by start time", () => {
    const r = report({ grouping: "none" });
    assert.deepEqual(view(r), [
        "total 8:36 Total",
        "-",
        "record 1:00 04-02-2024 22:00-01:00 #client2 #admin",
        "record 1:30 05-02-2024 09:00-10:30 #client1 #code refactor parser",
        "record 0:30 05-02-2024 10:45-11:15 #client1 #meeting standup",
        'record 2:20 05-02-2024 13:00-15:20 #client2 #code, api "v2"',
        "record 0:30 06-02-2024 09:10-09:40 #client1 #code #paid hotfix",
        "record 1:30 06-02-2024 23:30-01:00 reading, no tags",
        "record 0:00 08-02-2024 14:00-14:00 #client1 #design tiny",
        "record 1:16 09-02-2024 16:00-17:15 #client2 #meeting",
    ]);
    assert.equal(r.total, 30960);
    assert.equal(r.total_text, "8:36");
    const running = r.rows[r.rows.length - 1];
    assert.equal(running.running, true);
    assert.equal(running.key, "r9");
    assert.deepEqual(Array.from(running.tags), ["#client2", "#meeting"]);
    assert.equal(running.record, RECORDS[8]);
    assert.equal(r.first_day, T(2, 5));
    assert.equal(r.last_day, T(2, 11));
    // without records only the total remains (the group is untitled)
    assert.deepEqual(view(report({ grouping: "none", showrecords: false })), ["total 8:36 Total"]);
});

test("RP-07 group and total durations are sums of the rounded record durations", () => {
    const totals = {};
    for (const fmt of ["h0", "h1", "h2", "h3", "hm", "hms"]) {
        totals[fmt] = report({ format: fmt }).total_text;
    }
    // h0: each record rounds to whole hours first: 1+2+1+2+1+2+1+0 = 10 (the plain sum is 8.6 h)
    assert.deepEqual(totals, { h0: "10", h1: "8.6", h2: "8.61", h3: "8.605", hm: "8:36", hms: "8:36:19" });
    const r = report({ grouping: "tagz", format: "h0", showrecords: true });
    for (const row of r.rows.filter((x) => x.type === "group")) {
        assert.ok(Number.isInteger(row.duration / 3600), row.title);
    }
    // the format changes the figures, not the order of the groups
    const titles = (fmt) => report({ grouping: "tagz", format: fmt, showrecords: false }).rows.map((x) => x.title);
    for (const fmt of ["h0", "h1", "h2", "h3", "hms"]) {
        assert.deepEqual(titles(fmt), titles("hm"), fmt);
    }
});

test("RP-04 grouping by tags: better tag order, grouping sort, records below their group", () => {
    const r = report({ grouping: "tagz" });
    assert.deepEqual(view(r), [
        "total 8:36 Total",
        "-",
        "group 2:20 #client2 #code",
        'record 2:20 05-02-2024 13:00-15:20 #client2 #code, api "v2"',
        "-",
        "group 1:16 #client2 #meeting",
        "record 1:16 09-02-2024 16:00-17:15 #client2 #meeting",
        "-",
        "group 1:00 #client2 #admin",
        "record 1:00 04-02-2024 22:00-01:00 #client2 #admin",
        "-",
        "group 1:30 #client1 #code",
        "record 1:30 05-02-2024 09:00-10:30 #client1 #code refactor parser",
        "-",
        "group 0:30 #client1 #code #paid",
        "record 0:30 06-02-2024 09:10-09:40 #client1 #code #paid hotfix",
        "-",
        "group 0:30 #client1 #meeting",
        "record 0:30 05-02-2024 10:45-11:15 #client1 #meeting standup",
        "-",
        "group 0:00 #client1 #design",
        "record 0:00 08-02-2024 14:00-14:00 #client1 #design tiny",
        "-",
        "group 1:30 #untagged",
        "record 1:30 06-02-2024 23:30-01:00 reading, no tags",
    ]);
    const group = r.rows[2];
    assert.deepEqual(Array.from(group.tags), ["#client2", "#code"]);
    assert.equal(group.count, 1);
    assert.equal(group.period, "");
});

test("RP-06 hide secondary tags merges combinations; RP-08 summary table", () => {
    const r = report({ grouping: "tagz", hidesecondary: true, showrecords: false });
    assert.deepEqual(view(r), [
        "total 8:36 Total",
        "group 2:20 #client2 #code",
        "group 1:16 #client2 #meeting",
        "group 1:00 #client2 #admin",
        "group 2:00 #client1 #code",
        "group 0:30 #client1 #meeting",
        "group 0:00 #client1 #design",
        "group 1:30 #untagged",
    ]);
    // priorities can be a function too (taginfo.get_tag_priority)
    const viaFn = report({ grouping: "tagz", hidesecondary: true, showrecords: false, priorities: (tag) => (tag === "#paid" ? 2 : 1) });
    assert.deepEqual(view(viaFn), view(r));
    // a record whose tags are all secondary lands in "General"
    const only = reports.build_report([rec("x", T(2, 5, 9), T(2, 5, 10), "#paid invoice")], WEEK[0], WEEK[1], { grouping: "tagz", hidesecondary: true, priorities: PRIOS, now: NOW, showrecords: false });
    assert.deepEqual(view(only), ["total 1:00 Total", "group 1:00 General"]);
});

test("RP-01/RP-04 filter tags: only matching records, the filter tags left out of titles", () => {
    const r = report({ grouping: "tagz", tags: ["#client1"], showrecords: false });
    assert.deepEqual(view(r), ["total 2:30 Total", "group 1:30 #code", "group 0:30 #code #paid", "group 0:30 #meeting", "group 0:00 #design"]);
    const two = report({ grouping: "tagz", tags: ["#code", "#client1"] });
    assert.deepEqual(view(two), [
        "total 2:00 Total",
        "-",
        "group 1:30 General",
        "record 1:30 05-02-2024 09:00-10:30 #client1 #code refactor parser",
        "-",
        "group 0:30 #paid",
        "record 0:30 06-02-2024 09:10-09:40 #client1 #code #paid hotfix",
    ]);
    const untagged = report({ tags: ["#untagged"] });
    assert.deepEqual(view(untagged), ["total 1:30 Total", "-", "record 1:30 06-02-2024 23:30-01:00 reading, no tags"]);
    assert.deepEqual(view(report({ tags: ["#nothing"] })), ["total 0:00 Total"]);
});

test("RP-04 grouping by description, case-insensitive titles", () => {
    const records = [
        rec("a", T(2, 5, 9), T(2, 5, 10), "beta"),
        rec("b", T(2, 5, 10), T(2, 5, 11), "Alpha, the first"),
        rec("c", T(2, 6, 9), T(2, 6, 9, 30), "beta"),
        rec("d", T(2, 6, 10), T(2, 6, 10, 15), ""),
        rec("e", T(2, 6, 11), T(2, 6, 11, 15), "alpha"),
    ];
    const r = reports.build_report(records, WEEK[0], WEEK[1], { grouping: "ds", now: NOW, date_repr: "yyyy-mm-dd" });
    assert.deepEqual(view(r), [
        "total 3:00 Total",
        "-",
        "group 0:15 (no description)",
        "record 0:15 2024-02-06 10:00-10:15 ",
        "-",
        "group 0:15 alpha",
        "record 0:15 2024-02-06 11:00-11:15 alpha",
        "-",
        "group 1:00 Alpha, the first",
        "record 1:00 2024-02-05 10:00-11:00 Alpha, the first",
        "-",
        "group 1:30 beta",
        "record 1:00 2024-02-05 09:00-10:00 beta",
        "record 0:30 2024-02-06 09:00-09:30 beta",
    ]);
});

test("RP-05 periods: day, week, month, quarter, year", () => {
    const byDay = report({ grouping: "none", groupperiod: "day", showrecords: false });
    assert.deepEqual(view(byDay), [
        "total 8:36 Total",
        "group 5:20 05-02-2024", // r6 counts on its clipped start, 5 Feb
        "group 2:00 06-02-2024",
        "group 0:00 08-02-2024",
        "group 1:16 09-02-2024",
    ]);
    const byDayTags = report({ grouping: "tagz", groupperiod: "day", showrecords: false, date_repr: "mm/dd/yyyy" });
    assert.deepEqual(view(byDayTags), [
        "total 8:36 Total",
        "group 2:20 02/05/2024 / #client2 #code",
        "group 1:00 02/05/2024 / #client2 #admin",
        "group 1:30 02/05/2024 / #client1 #code",
        "group 0:30 02/05/2024 / #client1 #meeting",
        "group 0:30 02/06/2024 / #client1 #code #paid",
        "group 1:30 02/06/2024 / #untagged",
        "group 0:00 02/08/2024 / #client1 #design",
        "group 1:16 02/09/2024 / #client2 #meeting",
    ]);
    const row = byDayTags.rows[1];
    assert.equal(row.period, "02/05/2024");
    assert.equal(row.group_title, "#client2 #code");
    assert.equal(view(report({ groupperiod: "week", showrecords: false }))[1], "group 8:36 2024W6");
    assert.equal(view(report({ groupperiod: "month", showrecords: false }))[1], "group 8:36 Feb 2024");
    assert.equal(view(report({ groupperiod: "quarter", showrecords: false }))[1], "group 8:36 2024Q1");
    assert.equal(view(report({ groupperiod: "year", showrecords: false }))[1], "group 8:36 2024");
});

test("RP-05 quirk 5 fixed: week periods use the week-year", () => {
    const records = [
        rec("a", dt.make_time(2024, 12, 30, 9), dt.make_time(2024, 12, 30, 10), "#x"),
        rec("b", dt.make_time(2025, 1, 2, 9), dt.make_time(2025, 1, 2, 11), "#x"),
        rec("c", dt.make_time(2020, 12, 31, 9), dt.make_time(2020, 12, 31, 10), "#x"),
        rec("d", dt.make_time(2021, 1, 3, 9), dt.make_time(2021, 1, 3, 10), "#x"),
        rec("e", dt.make_time(2021, 1, 4, 9), dt.make_time(2021, 1, 4, 10), "#x"),
    ];
    const range = [dt.make_time(2020, 12, 1), dt.make_time(2025, 2, 1)];
    const r = reports.build_report(records, range[0], range[1], { groupperiod: "week", showrecords: false, now: NOW });
    assert.deepEqual(view(r), ["total 6:00 Total", "group 2:00 2020W53", "group 1:00 2021W1", "group 3:00 2025W1"]);
    // with Sunday as first day, Sunday 3 Jan 2021 starts week 1
    const sunday = reports.build_report(records, range[0], range[1], { groupperiod: "week", showrecords: false, now: NOW, first_day_of_week: 0 });
    // and Monday 30 Dec 2024 belongs to the Sunday-week of 1 Jan 2025
    assert.deepEqual(view(sunday), ["total 6:00 Total", "group 1:00 2020W53", "group 2:00 2021W1", "group 3:00 2025W1"]);
    const quarters = reports.build_report(records, range[0], range[1], { groupperiod: "quarter", showrecords: false, now: NOW });
    assert.deepEqual(view(quarters), ["total 6:00 Total", "group 1:00 2020Q4", "group 2:00 2021Q1", "group 1:00 2024Q4", "group 2:00 2025Q1"]);
});

test("RP-07 quirk 6 fixed: running records count up to now, clipped to the range", () => {
    const day = [T(2, 9), T(2, 10)];
    const running = [rec("run", T(2, 8, 22), T(2, 8, 22), "#late")]; // started the evening before
    const at = (now) => reports.build_report(running, day[0], day[1], { now, format: "hms" });
    assert.equal(at(T(2, 9, 1, 30)).total, 5400); // from 00:00 to now
    assert.equal(at(T(2, 12, 10)).total, 86400); // now beyond the range: clipped at its end
    assert.equal(at(T(2, 8, 23)).rows.length, 1); // now before the range: not included
    const rows = at(T(2, 9, 1, 30)).rows;
    assert.equal(rows[2].stop, "01:30");
    assert.equal(rows[2].date, "08-02-2024");
});

test("RP-12 CSV text: header, quoting, CRLF", () => {
    const r = report({ grouping: "tagz", tags: ["#client2"], username: "alice" });
    const csv = reports.to_csv(r);
    assert.equal(
        csv,
        [
            "subtotals,tag_groups,duration,date,start,stop,description,user,tags",
            "",
            '4:36,"Total",,,,,,,',
            ",,,,,,,,",
            '2:20,"#code",,,,,,,',
            ',,2:20,05-02-2024,13:00,15:20,"#client2 #code, api ""v2""",alice,#client2 #code',
            ",,,,,,,,",
            '1:16,"#meeting",,,,,,,',
            ',,1:16,09-02-2024,16:00,17:15,"#client2 #meeting",alice,#client2 #meeting',
            ",,,,,,,,",
            '1:00,"#admin",,,,,,,',
            ',,1:00,04-02-2024,22:00,01:00,"#client2 #admin",alice,#admin #client2',
        ].join("\r\n"),
    );
    assert.equal(reports.to_csv(r, "").split("\r\n")[5].split(",").length, 10); // 9 fields + the comma in the quoted text
});

test("RP-12 quirk 7 fixed: group titles are quoted, with commas and quotes too", () => {
    const records = [
        rec("a", T(2, 5, 9), T(2, 5, 10), 'lunch, "team" talk'),
        rec("b", T(2, 5, 10), T(2, 5, 11), " spaced"),
    ];
    const r = reports.build_report(records, WEEK[0], WEEK[1], { grouping: "ds", showrecords: false, now: NOW });
    assert.equal(r.rows[1].title, 'lunch, "team" talk');
    assert.deepEqual(reports.to_csv(r).split("\r\n"), [
        reports.CSV_HEADER,
        "",
        '2:00,"Total",,,,,,,',
        '1:00,"lunch, ""team"" talk",,,,,,,',
        '1:00,"spaced",,,,,,,',
    ]);
    // every line of a CSV has 9 fields when parsed properly
    const parse = (line) => {
        const out = [];
        let i = 0;
        while (i <= line.length) {
            if (line[i] === '"') {
                let j = i + 1;
                let v = "";
                while (j < line.length) {
                    if (line[j] === '"' && line[j + 1] === '"') { v += '"'; j += 2; } else if (line[j] === '"') { break; } else { v += line[j++]; }
                }
                out.push(v);
                i = j + 2;
            } else {
                const k = line.indexOf(",", i);
                const end = k < 0 ? line.length : k;
                out.push(line.slice(i, end));
                i = end + 1;
            }
        }
        return out;
    };
    const full = reports.to_csv(report({ grouping: "ds", groupperiod: "day" }), "bob, the builder");
    const lines = full.split("\r\n");
    for (const line of lines.slice(2)) {
        assert.equal(parse(line).length, 9, line);
    }
    assert.deepEqual(parse(lines[4]), ["1:30", "05-02-2024 / #client1 #code refactor parser", "", "", "", "", "", "", ""]);
    assert.equal(parse(lines.find((l) => l.startsWith(",,") && l.includes("api")))[7], "bob, the builder");
});

test("RP-12 file names", () => {
    assert.equal(reports.report_filename(T(2, 5), T(2, 5)), "timetagger-20240205.csv");
    assert.equal(reports.report_filename(T(2, 5), T(2, 11)), "timetagger-20240205-20240211.csv");
    assert.equal(reports.report_filename(T(2, 5), T(2, 11, 23, 59), "pdf"), "timetagger-20240205-20240211.pdf");
});
