// importer: separator detection, field splitting (quirk 9), header mapping, row parsing,
// tags from tag/project/client columns, keys and de-duplication (IE-03 ... IE-08,
// IE-12), on fixtures shaped like a Yast, a Toggl Track and a Clockify export.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: L } = require("./harness.js");

useZone();

const importer = load("importer");

const NOW = 1710000000;
function keys() {
    let n = 0;
    return () => "new" + ++n;
}
function analyse(text, options = {}) {
    return importer.analyse(text, Object.assign({ now: NOW, make_key: keys() }, options));
}
const simple = (records) => records.map((r) => ({ key: r.key, t1: r.t1, t2: r.t2, ds: r.ds }));

test("IE-03 separator detection", () => {
    assert.equal(importer.detect_separator("start\tstop\tdescription"), "\t");
    assert.equal(importer.detect_separator("start,stop;description,tags"), ",");
    assert.equal(importer.detect_separator("a;b;c,d"), ";");
    assert.equal(importer.detect_separator("a,b;c\td"), "\t"); // ties: tab, comma, semicolon
    assert.equal(importer.detect_separator("a;b,c"), ",");
    assert.equal(importer.detect_separator("nothing here"), "");
});

test("IE-04 field splitting: quotes, separators and line breaks inside quotes, trimming", () => {
    const text = 'a,"b,c",d\r\n"x ""y"" z","multi\nline",  e  \n\n,,\n"q"';
    assert.deepEqual(importer.split_rows(text, ","), [
        [1, ["a", "b,c", "d"]],
        [2, ['x "y" z', "multi\nline", "e"]],
        [6, ["q"]],
    ]);
    // quirk 9 fixed: every doubled quote is unescaped
    assert.deepEqual(importer.split_rows('"a ""b"" c ""d"""', ","), [[1, ['a "b" c "d"']]]);
    assert.deepEqual(importer.split_rows('"",x', ","), [[1, ["", "x"]]]);
    // tabs are whitespace unless they separate
    assert.deepEqual(importer.split_rows("a;\tb ;c", ";"), [[1, ["a", "b", "c"]]]);
    assert.deepEqual(importer.split_rows("a\t b\t\tc", "\t"), [[1, ["a", "b", "", "c"]]]);
    assert.deepEqual(importer.split_rows("a\rb\r\nc", ","), [[1, ["a"]], [2, ["b"]], [3, ["c"]]]);
});

test("IE-05 header names", () => {
    assert.equal(importer.normalize_header(" Start_Time "), "start time");
    assert.equal(importer.normalize_header("Duration-H:M"), "duration h:m");
    assert.equal(importer.normalize_header("\ufeffProject  Name"), "project name");
    const r = analyse("ID;Begin;End-Time;Summary;PROJ;Colour\n");
    assert.deepEqual(Array.from(r.columns), ["key", "start", "stop", "description", "project", ""]);
    assert.deepEqual(Array.from(r.log), ["Separator: semicolon.", "Ignored columns: Colour.", "Found 0 (0 new)."]);
    assert.equal(r.ok, true);
    assert.equal(r.format, "generic");
    // trailing unnamed columns are dropped; "constructor" is no header name
    assert.deepEqual(Array.from(analyse("start,stop,constructor,,\n").columns), ["start", "stop", ""]);
});

test("IE-06 required columns and unusable input", () => {
    let r = analyse("");
    assert.equal(r.ok, false);
    assert.deepEqual(Array.from(r.log), ["No data."]);
    r = analyse("\n\n  \nonlyoneword\n1\n");
    assert.deepEqual(Array.from(r.log), ["No separator found in the header (tried tab, comma and semicolon)."]);
    r = analyse("stop,description\n2024-01-01 10:00,x");
    assert.equal(r.ok, false);
    assert.equal(r.log[r.log.length - 1], "Missing a start column (start, begin, start time or t1).");
    r = analyse("start,description\n2024-01-01 10:00,x");
    assert.equal(r.ok, false);
    assert.equal(r.log[r.log.length - 1], "Missing a stop or duration column (stop, end, t2 or duration).");
    assert.equal(r.records.length, 0);
});

test("IE-04 tags inside descriptions keep the case they were typed in (as the original)", () => {
    const text = [
        "start,stop,description",
        "2024-03-18 09:00,2024-03-18 10:00,Call #ClientX about #Q3-Budget and #travel",
        "2024-03-18 10:00,2024-03-18 11:00,#MeetingNotes: follow up",
    ].join("\n");
    const r = analyse(text);
    assert.equal(r.ok, true);
    assert.deepEqual(
        r.records.map((x) => x.ds),
        ["Call #ClientX about #Q3-Budget and #travel", "#MeetingNotes: follow up"],
    );
});

test("IE-07 a Yast-style export: dates with dots, times of day, project paths", () => {
    const text = [
        "Project,Type,Date,Start,End,Duration H:M,Comment,Tags,Project path,",
        "Company A,Work,09.01.2019,11:07,12:37,1:30,Landing page,,paid,",
        'Support,Work,10.01.2019,09:00,09:45,0:45,"Call with ""Bob"", re: invoice",,clients,Big Corp',
        "Company A,Work,10.01.2019,23.30,00.15,0:45,Late fix,hotfix,paid,",
        "Admin,Work,11-01-2019,8:00,,2:15,,,,",
    ].join("\n");
    const r = analyse(text);
    assert.equal(r.ok, true);
    assert.deepEqual(Array.from(r.columns), ["project", "", "date", "start", "stop", "duration", "description", "tags", "project_path"]);
    assert.deepEqual(simple(r.records), [
        { key: "new1", t1: L(2019, 1, 9, 11, 7), t2: L(2019, 1, 9, 12, 37), ds: "#paid/Company-A Landing page" },
        { key: "new2", t1: L(2019, 1, 10, 9), t2: L(2019, 1, 10, 9, 45), ds: '#clients/Big-Corp/Support Call with "Bob", re: invoice' },
        { key: "new3", t1: L(2019, 1, 10, 23, 30), t2: L(2019, 1, 11, 0, 15), ds: "#hotfix Late fix" }, // past midnight
        { key: "new4", t1: L(2019, 1, 11, 8), t2: L(2019, 1, 11, 10, 15), ds: "#Admin" }, // from the duration
    ]);
    assert.deepEqual(r.records[0].mt, NOW);
    assert.equal(r.records[0].st, 0);
    assert.deepEqual(Array.from(r.log), ["Separator: comma.", "Ignored columns: Type.", "Found 4 (4 new)."]);
    assert.deepEqual(Array.from(r.errors), []);
});

const TOGGL = [
    "\ufeffUser,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (EUR)",
    'Ann Smith,ann@example.com,Acme Corp,Website,Design,Homepage copy,Yes,2024-03-18,09:00:00,2024-03-18,10:30:00,01:30:00,"Deep work, review",135.00',
    'Ann Smith,ann@example.com,,Internal,,"Standup, daily",No,2024-03-18,23:30:00,2024-03-19,00:15:00,00:45:00,,0.00',
    "Ann Smith,ann@example.com,Acme Corp,Website,,#website fixes,Yes,2024-03-19,13:00:00,2024-03-19,14:00:00,01:00:00,,90.00",
    "Ann Smith,ann@example.com,Acme Corp,,,,No,2024-03-31,01:30:00,2024-03-31,03:30:00,01:00:00,,0.00",
].join("\r\n");

test("IE-12 Toggl Track CSV export: client, project and tags become tags", () => {
    const r = analyse(TOGGL);
    assert.equal(r.format, "toggl");
    assert.equal(r.format_name, "Toggl Track CSV export");
    assert.deepEqual(Array.from(r.log), [
        "Separator: comma.",
        "Recognised a Toggl Track CSV export.",
        "Ignored columns: User, Email, Task, Billable, Amount (EUR).",
        "Found 4 (4 new).",
    ]);
    assert.deepEqual(simple(r.records), [
        { key: "new1", t1: L(2024, 3, 18, 9), t2: L(2024, 3, 18, 10, 30), ds: "#Acme-Corp #Website #Deep-work #review Homepage copy" },
        { key: "new2", t1: L(2024, 3, 18, 23, 30), t2: L(2024, 3, 19, 0, 15), ds: "#Internal Standup, daily" },
        { key: "new3", t1: L(2024, 3, 19, 13), t2: L(2024, 3, 19, 14), ds: "#Acme-Corp #website fixes" }, // #website not repeated
        // across the DST change: 01:30 CET to 03:30 CEST is one hour
        { key: "new4", t1: L(2024, 3, 31, 1, 30), t2: L(2024, 3, 31, 1, 30) + 3600, ds: "#Acme-Corp" },
    ]);
});

const CLOCKIFY = [
    '"Project","Client","Description","Task","User","Group","Email","Tags","Billable","Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)","Billable Rate (USD)","Billable Amount (USD)"',
    '"Mobile app","Globex","Fix login crash","","Bo Chen","","bo@example.com","bugfix, urgent","Yes","03/18/2024","01:15:00 PM","03/18/2024","02:45:00 PM","01:30:00","1.50","80.00","120.00"',
    '"Mobile app","Globex","Release notes","","Bo Chen","","bo@example.com","","No","03/19/2024","11:30:00 PM","03/20/2024","12:10:00 AM","00:40:00","0.67","0.00","0.00"',
    '"","","Reading","","Bo Chen","","bo@example.com","","No","03/20/2024","12:00:00 PM","03/20/2024","12:30:00 PM","00:30:00","0.50","0.00","0.00"',
].join("\n");

test("IE-12 Clockify CSV export: US dates, 12-hour times, tag lists", () => {
    const r = analyse(CLOCKIFY);
    assert.equal(r.format, "clockify");
    assert.deepEqual(Array.from(r.log), [
        "Separator: comma.",
        "Recognised a Clockify CSV export.",
        "Ignored columns: Task, User, Group, Email, Billable, Billable Rate (USD), Billable Amount (USD).",
        "Found 3 (3 new).",
    ]);
    assert.deepEqual(simple(r.records), [
        { key: "new1", t1: L(2024, 3, 18, 13, 15), t2: L(2024, 3, 18, 14, 45), ds: "#Globex #Mobile-app #bugfix #urgent Fix login crash" },
        { key: "new2", t1: L(2024, 3, 19, 23, 30), t2: L(2024, 3, 20, 0, 10), ds: "#Globex #Mobile-app Release notes" },
        { key: "new3", t1: L(2024, 3, 20, 12), t2: L(2024, 3, 20, 12, 30), ds: "Reading" },
    ]);
    // day/month order is detected from the data; the decimal duration works alone
    const eu = [
        "Project,Client,Description,Start Date,Start Time,Duration (decimal)",
        "Research,Initech,Interviews,25/03/2024,09:00,1.25",
        "Research,Initech,Notes,03/04/2024,14:00,0.5",
    ].join("\n");
    const r2 = analyse(eu);
    assert.equal(r2.format, "clockify");
    assert.ok(r2.log.includes("Dates like 17/03/2024 read as day/month/year."));
    assert.deepEqual(simple(r2.records), [
        { key: "new1", t1: L(2024, 3, 25, 9), t2: L(2024, 3, 25, 10, 15), ds: "#Initech #Research Interviews" },
        { key: "new2", t1: L(2024, 4, 3, 14), t2: L(2024, 4, 3, 14, 30), ds: "#Initech #Research Notes" },
    ]);
});

test("IE-07 generic tables: Unix times, ISO strings, durations in seconds, tag words", () => {
    const text = [
        "id;Begin;Duration;Summary;Tag;Customer",
        "a1;1710000000;5400;Planning session;design, ux;",
        "a2;2024-03-10T10:00:00Z;1:30;#ux review;ux;Initech",
        "a3;2024-03-10 14:00:00+01:00;0:20:30;;x;",
        "a4;Sun, 10 Mar 2024 16:00:00 GMT;60;reading;;",
    ].join("\n");
    const r = analyse(text);
    assert.deepEqual(simple(r.records), [
        { key: "a1", t1: 1710000000, t2: 1710005400, ds: "#design #ux Planning session" },
        { key: "a2", t1: Date.UTC(2024, 2, 10, 10) / 1000, t2: Date.UTC(2024, 2, 10, 11, 30) / 1000, ds: "#Initech #ux review" },
        { key: "a3", t1: Date.UTC(2024, 2, 10, 13) / 1000, t2: Date.UTC(2024, 2, 10, 13, 20, 30) / 1000, ds: "" },
        { key: "a4", t1: Date.UTC(2024, 2, 10, 16) / 1000, t2: Date.UTC(2024, 2, 10, 16, 1) / 1000, ds: "reading" },
    ]);
    // fractional seconds: start floored, stop ceiled; a zero-length record becomes 1 s
    const r2 = analyse("start,stop\n1710000000.7,1710000100.2\n1710000000,1710000000");
    assert.deepEqual(simple(r2.records).map((x) => [x.t1, x.t2]), [[1710000000, 1710000101], [1710000000, 1710000001]]);
});

test("IE-07 rows with problems are listed with their line numbers and skipped", () => {
    const text = [
        "start,stop,description",
        "yesterday,2024-03-10 10:00,a",
        "",
        "2024-03-10 10:00,2024-03-10 09:00,b",
        "1960-01-01 10:00,1960-01-01 11:00,c",
        '2024-03-10 10:00,"",d',
        "2024-03-10 10:00,2024-03-10 11:00,good",
        "10:00,11:00,no date column",
        "2024-02-30 10:00,2024-03-01 10:00,bad date",
    ].join("\n");
    const r = analyse(text);
    assert.deepEqual(Array.from(r.errors, (e) => [e.row, e.message]), [
        [2, 'cannot read the start time "yesterday"'],
        [4, "the stop time is before the start time"],
        [5, "invalid start/stop times (before 1970)"],
        [6, "no stop time or duration"],
        [8, 'start "10:00" is a time of day but there is no date'],
        [9, 'cannot read the start time "2024-02-30 10:00"'],
    ]);
    assert.deepEqual(simple(r.records), [{ key: "new1", t1: L(2024, 3, 10, 10), t2: L(2024, 3, 10, 11), ds: "good" }]);
    assert.deepEqual(Array.from(r.log).slice(-2), ["6 row(s) with problems, see the list.", "Found 1 (1 new)."]);
    const bad = analyse("date,start,duration\n31.02.2024,10:00,60\n01.03.2024,10:00,soon");
    assert.deepEqual(Array.from(bad.errors, (e) => e.message), ['cannot read the date "31.02.2024"', 'cannot read the duration "soon"']);
});

test("IE-08 keys: key column, reuse for the same times, new keys, repeated keys", () => {
    const existing = [
        { key: "old1", t1: L(2024, 3, 10, 9), t2: L(2024, 3, 10, 10), ds: "#a", mt: 1, st: 5 },
        { key: "old2", t1: L(2024, 3, 10, 11), t2: L(2024, 3, 10, 12), ds: "HIDDEN #b", mt: 1, st: 5 },
    ];
    const text = [
        "key,start,stop,description",
        ",2024-03-10 09:00,2024-03-10 10:00,same times as old1",
        ",2024-03-10 11:00,2024-03-10 12:00,same times as a hidden record",
        "old2,2024-03-10 13:00,2024-03-10 14:00,updates old2",
        "k9,2024-03-10 15:00,2024-03-10 16:00,first k9",
        "k9,2024-03-10 15:00,2024-03-10 16:30,second k9",
    ].join("\n");
    const r = analyse(text, { existing });
    assert.deepEqual(r.records.map((x) => [x.key, x.ds]), [
        ["old1", "same times as old1"],
        ["new1", "same times as a hidden record"],
        ["old2", "updates old2"],
        ["k9", "second k9"],
    ]);
    assert.equal(r.new_count, 2);
    assert.deepEqual(Array.from(r.errors, (e) => [e.row, e.message]), [[5, "key k9 appears again in row 6; the later row is used"]]);
    assert.equal(r.log[r.log.length - 1], "Found 4 (2 new).");
    // random keys: 8 letters
    const rnd = importer.analyse("start,stop\n2024-03-10 09:00,2024-03-10 10:00\n2024-03-11 09:00,2024-03-11 10:00", { now: NOW });
    assert.match(rnd.records[0].key, /^[a-zA-Z]{8}$/);
    assert.notEqual(rnd.records[0].key, rnd.records[1].key);
});

test("value readers", () => {
    assert.deepEqual(Array.from(importer.parse_date("2024-3-7")), [2024, 3, 7]);
    assert.deepEqual(Array.from(importer.parse_date("07.03.2024")), [2024, 3, 7]);
    assert.deepEqual(Array.from(importer.parse_date("03/07/2024")), [2024, 3, 7]);
    assert.deepEqual(Array.from(importer.parse_date("03/07/2024", "dmy")), [2024, 7, 3]);
    assert.equal(importer.parse_date("2024-13-01"), null);
    assert.equal(importer.parse_date("12"), null);
    assert.deepEqual(Array.from(importer.parse_time_of_day("9.05")), [9, 5, 0]);
    assert.deepEqual(Array.from(importer.parse_time_of_day("12:00:00 AM")), [0, 0, 0]);
    assert.deepEqual(Array.from(importer.parse_time_of_day("12:30 pm")), [12, 30, 0]);
    assert.deepEqual(Array.from(importer.parse_time_of_day("1:30 p.m.")), [13, 30, 0]);
    assert.equal(importer.parse_time_of_day("13:00 PM"), null);
    assert.equal(importer.parse_time_of_day("9"), null);
    assert.equal(importer.parse_duration("90"), 90);
    assert.equal(importer.parse_duration("1,5", true), 5400);
    assert.equal(importer.parse_duration("25:00:01"), 90001);
    assert.equal(importer.parse_duration("-5"), null);
    assert.equal(importer.parse_moment("12"), null); // no date parser guesses
    assert.equal(importer.parse_moment("31536001"), 31536001);
    assert.equal(importer.parse_moment("17.03.2024 9:05 PM"), L(2024, 3, 17, 21, 5));
});
