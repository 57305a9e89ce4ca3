// timeeditor: the rules of the record dialog's time editor (RC-14), the mode switch
// after time edits (RC-09) and the time texts of RC-13 typed into its fields.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: T } = require("./harness.js");

useZone();

const te = load("timeeditor");
const dt = load("dt");
const timeparse = load("timeparse");

const hhmm = (t) => dt.format_time(t, false, true);
const day = (t) => dt.format_isodate(t);
const NOW = T(2024, 3, 14, 15, 0, 0); // Thursday 14 March 2024, 15:00
const r = (t1, t2, ds = "") => ({ key: "k" + t1, t1, t2, ds });

test("options per mode: Start, New, Stop, Edit running, Edit finished", () => {
    assert.deepEqual(te.time_options("start", true), [["now", "earlier", "done"], "now"]);
    assert.deepEqual(te.time_options("new", false), [["now", "earlier", "done"], "done"]);
    assert.deepEqual(te.time_options("stop", true), [["running", "stopped"], "stopped"]);
    assert.deepEqual(te.time_options("edit", true), [["running", "stopped"], "running"]);
    assert.deepEqual(te.time_options("edit", false), [[], ""]);
    assert.equal(te.OPTION_LABELS.earlier, "Started earlier");
});

test("rows shown per option", () => {
    assert.deepEqual(te.visible_rows("now"), { start: false, stop: false, duration: false });
    assert.deepEqual(te.visible_rows("earlier"), { start: true, stop: false, duration: true });
    assert.deepEqual(te.visible_rows("running"), { start: true, stop: false, duration: true });
    assert.deepEqual(te.visible_rows("done"), { start: true, stop: true, duration: true });
    assert.deepEqual(te.visible_rows("stopped"), { start: true, stop: true, duration: true });
    assert.deepEqual(te.visible_rows(""), { start: true, stop: true, duration: true });
});

test("sensible start: keep a start at least 5 minutes ago", () => {
    assert.equal(te.sensible_start(NOW - 300, NOW, []), NOW - 300);
    assert.equal(te.sensible_start(NOW - 7200, NOW, [r(NOW - 100, NOW - 100)]), NOW - 7200);
});

test("sensible start: 5 minutes ago while another record runs", () => {
    const others = [r(NOW - 3 * 3600, NOW - 2 * 3600), r(NOW - 600, NOW - 600)];
    assert.equal(te.sensible_start(NOW, NOW, others), NOW - 300);
    assert.equal(te.sensible_start(NOW - 299, NOW, others), NOW - 300);
});

test("sensible start: end of the latest record within 8 hours, at most now - 1", () => {
    const others = [r(NOW - 5 * 3600, NOW - 4 * 3600), r(NOW - 3 * 3600, NOW - 2 * 3600), r(NOW - 9 * 3600, NOW - 8.5 * 3600)];
    assert.equal(te.sensible_start(NOW, NOW, others), NOW - 2 * 3600);
    assert.equal(te.sensible_start(NOW, NOW, [r(NOW - 600, NOW)]), NOW - 1);
    // A record ending in the future does not count; one ended 9 hours ago neither.
    assert.equal(te.sensible_start(NOW, NOW, [r(NOW - 600, NOW + 600)]), NOW - 3600);
    assert.equal(te.sensible_start(NOW, NOW, [r(NOW - 10 * 3600, NOW - 9 * 3600)]), NOW - 3600);
});

test("sensible start: one hour ago otherwise", () => {
    assert.equal(te.sensible_start(NOW, NOW, []), NOW - 3600);
    assert.equal(te.sensible_start(NOW, NOW + 0.7, []), NOW - 3600); // whole seconds
});

test("choosing options in Start/New mode", () => {
    assert.deepEqual(te.apply_option("now", NOW - 500, NOW - 500, NOW, []), [NOW, NOW, false]);
    assert.deepEqual(te.apply_option("earlier", NOW, NOW, NOW, []), [NOW - 3600, NOW - 3600, false]);
    assert.deepEqual(te.apply_option("done", NOW, NOW, NOW, []), [NOW - 3600, NOW, false]);
    const others = [r(NOW - 7200, NOW - 1800)];
    assert.deepEqual(te.apply_option("done", NOW, NOW, NOW, others), [NOW - 1800, NOW, false]);
    // An earlier start chosen before is kept.
    assert.deepEqual(te.apply_option("done", NOW - 5000, NOW - 5000, NOW, others), [NOW - 5000, NOW, false]);
});

test("choosing options in Edit/Stop mode", () => {
    // Still running: from the start (never in the future).
    assert.deepEqual(te.apply_option("running", NOW - 900, NOW - 100, NOW, []), [NOW - 900, NOW - 900, false]);
    assert.deepEqual(te.apply_option("running", NOW + 900, NOW + 1000, NOW, []), [NOW, NOW, false]);
    // Stopped: a running record stops now, keeping its start.
    assert.deepEqual(te.apply_option("stopped", NOW - 900, NOW - 900, NOW, []), [NOW - 900, NOW, false]);
    assert.deepEqual(te.apply_option("stopped", NOW, NOW, NOW, []), [NOW, NOW + 1, false]);
    // A finished record keeps its times.
    assert.deepEqual(te.apply_option("stopped", NOW - 900, NOW - 100, NOW, []), [NOW - 900, NOW - 100, false]);
});

test("start date: keeps the time of day, the stop keeps its day offset", () => {
    const t1 = T(2024, 3, 10, 22, 0);
    const t2 = T(2024, 3, 11, 1, 30); // the next day
    const [a, b, clipped] = te.set_start_date(t1, t2, [2024, 3, 5], NOW);
    assert.equal(clipped, false);
    assert.equal(day(a) + " " + hhmm(a), "2024-03-05 22:00:00");
    assert.equal(day(b) + " " + hhmm(b), "2024-03-06 01:30:00");
    // Across the DST change (31 March 2024 in Amsterdam) the local times stay.
    const [c, d] = te.set_start_date(T(2024, 3, 30, 9, 0), T(2024, 3, 30, 17, 0), [2024, 4, 2], NOW + 30 * 86400);
    assert.equal(hhmm(c) + "-" + hhmm(d), "09:00:00-17:00:00");
    assert.equal(d - c, 8 * 3600);
});

test("start date of a running record: stays running, never in the future", () => {
    const t = T(2024, 3, 14, 9, 0);
    assert.deepEqual(te.set_start_date(t, t, [2024, 3, 13], NOW), [T(2024, 3, 13, 9), T(2024, 3, 13, 9), false]);
    assert.deepEqual(te.set_start_date(t, t, [2024, 3, 20], NOW), [NOW, NOW, false]);
});

test("start date clipped to 1970", () => {
    const t1 = T(2024, 3, 14, 0, 30);
    const [a, b, clipped] = te.set_start_date(t1, t1 + 3600, [1970, 1, 1], NOW);
    assert.equal(clipped, true); // 00:30 in Amsterdam on 1 Jan 1970 is before the epoch
    assert.equal(a, 0);
    assert.ok(b > a);
});

test("stop date: only the stop moves; before the start it becomes start + 1 min", () => {
    const t1 = T(2024, 3, 10, 9, 0);
    const t2 = T(2024, 3, 10, 17, 0);
    assert.deepEqual(te.set_stop_date(t1, t2, [2024, 3, 11]), [t1, T(2024, 3, 11, 17, 0), false]);
    assert.deepEqual(te.set_stop_date(t1, t2, [2024, 3, 9]), [t1, t1 + 60, false]);
    assert.deepEqual(te.set_stop_date(t1, t1, [2024, 3, 11]), [t1, t1, false]); // running
});

test("start time: typed forms of RC-13 on the record's day", () => {
    const t1 = T(2024, 3, 13, 8, 0);
    const t2 = T(2024, 3, 13, 18, 0);
    const cases = { "9:30": "09:30:00", "0930": "09:30:00", "9h30m": "09:30:00", "9 30": "09:30:00", "4:30 pm": "16:30:00", "12am": "00:00:00", "9:30:15": "09:30:15" };
    for (const [text, want] of Object.entries(cases)) {
        const [a, b] = te.set_start_time(t1, t2, timeparse.parse_time(text), NOW);
        assert.equal(hhmm(a), want, text);
        assert.equal(day(a), "2024-03-13", text);
        assert.equal(b, t2, text);
    }
});

test("start time: no clamping (25 h is 1 h the next day), stop pushed after the start", () => {
    const t1 = T(2024, 3, 13, 8, 0);
    const t2 = T(2024, 3, 13, 18, 0);
    // RC-13 packs bare digits in pairs: "930" is 93 h, i.e. 21:00 three days later.
    const [p] = te.set_start_time(t1, t2, timeparse.parse_time("930"), NOW);
    assert.equal(day(p) + " " + hhmm(p), "2024-03-16 21:00:00");
    const [a, b] = te.set_start_time(t1, t2, [25, 0, 0], NOW);
    assert.equal(day(a) + " " + hhmm(a), "2024-03-14 01:00:00");
    assert.equal(b, a + 1);
    assert.deepEqual(te.set_start_time(t1, t2, [18, 0, 0], NOW), [t2, t2 + 1, false]);
});

test("start time of a running record: capped at now, stays running", () => {
    const t = T(2024, 3, 14, 9, 0);
    assert.deepEqual(te.set_start_time(t, t, [10, 15, 0], NOW), [T(2024, 3, 14, 10, 15), T(2024, 3, 14, 10, 15), false]);
    assert.deepEqual(te.set_start_time(t, t, [16, 0, 0], NOW), [NOW, NOW, false]);
});

test("stop time: at or before the start moves the start there, 1 s long", () => {
    const t1 = T(2024, 3, 13, 8, 0);
    const t2 = T(2024, 3, 13, 18, 0);
    assert.deepEqual(te.set_stop_time(t1, t2, timeparse.parse_time("12:45")), [t1, T(2024, 3, 13, 12, 45), false]);
    assert.deepEqual(te.set_stop_time(t1, t2, [7, 0, 0]), [T(2024, 3, 13, 7), T(2024, 3, 13, 7) + 1, false]);
    assert.deepEqual(te.set_stop_time(t1, t1, [12, 0, 0]), [t1, t1, false]); // running: ignored
});

test("+/- steps go to multiples of 5 minutes", () => {
    const t = T(2024, 3, 13, 8, 2, 40);
    assert.equal(hhmm(te.step5(t, 1)), "08:05:00");
    assert.equal(hhmm(te.step5(t, -1)), "08:00:00");
    assert.equal(hhmm(te.step5(T(2024, 3, 13, 8, 5), 1)), "08:10:00");
    assert.equal(hhmm(te.step5(T(2024, 3, 13, 8, 5), -1)), "08:00:00");
    const t2 = T(2024, 3, 13, 9, 0);
    assert.deepEqual(te.step_start(t, t2, 1, NOW), [T(2024, 3, 13, 8, 5), t2, false]);
    assert.deepEqual(te.step_stop(t, t2, -1), [t, T(2024, 3, 13, 8, 55), false]);
    // Stepping the stop below the start moves the start.
    assert.deepEqual(te.step_stop(T(2024, 3, 13, 8, 58), T(2024, 3, 13, 9, 0), -1), [T(2024, 3, 13, 8, 55), T(2024, 3, 13, 8, 55) + 1, false]);
    // Running: the start is capped at now, the stop does not move.
    const n = T(2024, 3, 14, 14, 58);
    assert.deepEqual(te.step_start(n, n, 1, NOW), [NOW, NOW, false]);
    assert.deepEqual(te.step_stop(n, n, 1), [n, n, false]);
});

test("duration: bare number is hours, units and colons work; zero gives 1 s", () => {
    const t1 = T(2024, 3, 13, 8, 0);
    const t2 = T(2024, 3, 13, 9, 0);
    const cases = { "45m": 2700, "1:30": 5400, "1h30m": 5400, "2": 7200, "90m": 5400, "0": 1, "0:00:20": 20 };
    for (const [text, secs] of Object.entries(cases)) {
        assert.deepEqual(te.set_duration(t1, t2, timeparse.parse_time(text)), [t1, t1 + secs, false], text);
    }
    assert.deepEqual(te.set_duration(t1, t1, [1, 0, 0]), [t1, t1, false]); // running: ignored
});

test("quirk 3: a negative duration gets a specific message", () => {
    assert.equal(timeparse.parse_time("-1h"), null);
    assert.match(te.bad_time_message("-1h", "duration"), /cannot be negative/);
    assert.match(te.bad_time_message("abc", "duration"), /Cannot read "abc" as a duration/);
    assert.match(te.bad_time_message("xx", "start"), /Cannot read "xx" as a start time/);
    assert.equal(te.bad_time_message("9:30", "stop"), "");
});

test("RC-09 mode after time edits", () => {
    assert.equal(te.mode_after_change("start", true, false), "new");
    assert.equal(te.mode_after_change("edit", true, false), "stop");
    assert.equal(te.mode_after_change("stop", true, false), "stop");
    assert.equal(te.mode_after_change("new", false, true), "start");
    assert.equal(te.mode_after_change("stop", false, true), "edit");
    assert.equal(te.mode_after_change("edit", false, true), "edit");
    assert.equal(te.mode_after_change("edit", false, false), "edit");
    assert.equal(te.mode_after_change("start", true, true), "start");
});

test("warnings: start back, end forward, long duration, clipped", () => {
    const t1 = T(2024, 3, 13, 8, 0);
    const t2 = T(2024, 3, 13, 9, 0);
    assert.deepEqual(te.get_warnings(t1, t2, t1, t2, NOW), []);
    assert.deepEqual(te.get_warnings(t1, t2, t1 - 2 * 86400, t2, NOW), ["moving start back 48h00m", "duration is 49h00m"]);
    assert.deepEqual(te.get_warnings(t1, t2, t1, t2 + 86400 + 60, NOW, false, "dhms"), ["moving end forward 1d00h01m", "duration is 1d01h01m"]);
    assert.deepEqual(te.get_warnings(t1, t2, t1, t2, NOW, true), ["clipped to 1970-01-01"]);
    // A running record: its duration counts up to now; stopping it now is no move.
    const s = NOW - 2 * 86400;
    assert.deepEqual(te.get_warnings(s, s, s, s, NOW), ["duration is 48h00m"]);
    assert.deepEqual(te.get_warnings(NOW - 600, NOW - 600, NOW - 600, NOW, NOW), []);
});

test("what the fields show", () => {
    const t1 = T(2024, 3, 13, 8, 0, 10);
    assert.equal(te.time_text(t1), "08:00");
    assert.equal(te.date_value(t1), "2024-03-13");
    assert.equal(te.duration_text(t1, t1 + 5400 + 20, NOW), "1h 30m");
    assert.equal(te.duration_text(t1, t1 + 25, NOW), "0h 00m 25s");
    assert.equal(te.duration_text(NOW - 3725, NOW - 3725, NOW), "1h 02m 05s");
    // What the field shows can be typed back.
    assert.deepEqual(timeparse.parse_time("1h 30m"), [1, 30, 0]);
    assert.deepEqual(timeparse.parse_time("0h 00m 25s"), [0, 0, 25]);
});

test("date input values: incomplete years are ignored", () => {
    assert.deepEqual(dt.parse_ymd("2024-03-05"), [2024, 3, 5]);
    assert.equal(dt.parse_ymd("0202-03-05"), null);
    assert.equal(dt.parse_ymd("1899-12-31"), null);
    assert.equal(dt.parse_ymd("2024-02-30"), null);
    assert.equal(dt.parse_ymd(""), null);
});
