// targets: work hours with the workdays setting, target choice and progress (TP-03,
// ST-02, quirk 14).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const targets = load("targets");

const D = (mo, d, h = 0) => dt.make_time(2024, mo, d, h);
const H = 3600;
const WEEK = [D(2, 5), D(2, 12)]; // Monday 5 .. Sunday 11 February 2024
const close = (a, b, msg) => assert.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} != ${b}`);

test("ST-02 free weekdays and work hours in a range", () => {
    assert.deepEqual(Array.from(targets.free_weekdays(2)), [6, 0]);
    assert.deepEqual(Array.from(targets.free_weekdays(1)), [0]);
    assert.deepEqual(Array.from(targets.free_weekdays(0)), []);
    assert.equal(targets.work_hours(WEEK[0], WEEK[1], 2), 120);
    assert.equal(targets.work_hours(WEEK[0], WEEK[1], 1), 144);
    assert.equal(targets.work_hours(WEEK[0], WEEK[1], 0), 168);
    // the DST week: 167 hours, of which Saturday 24 h and Sunday 23 h are free
    assert.equal(targets.work_hours(D(3, 25), D(4, 1), 0), 167);
    assert.equal(targets.free_seconds(D(3, 25), D(4, 1), 2), 47 * H);
    assert.equal(targets.work_hours(D(3, 25), D(4, 1), 2), 120);
    // part of a day: Friday 18:00 to Saturday 06:00
    assert.equal(targets.work_hours(D(2, 9, 18), D(2, 10, 6), 2), 6);
    assert.equal(targets.work_hours(D(2, 10), D(2, 11), 2), 0);
    // February 2024 has 21 weekdays
    assert.equal(targets.work_hours(D(2, 1), D(3, 1), 2), 21 * 24);
});

test("TP-03 work hours per period", () => {
    assert.deepEqual([0, 1, 2].map((w) => targets.period_work_hours("day", w)), [24, 24, 24]); // quirk 14 kept
    assert.deepEqual([0, 1, 2].map((w) => targets.period_work_hours("week", w)), [168, 144, 120]);
    close(targets.period_work_hours("month", 2), 720 - 24 * 4.33 * 2, "month");
    assert.equal(targets.period_work_hours("year", 1), 8760 - 24 * 52);
    assert.throws(() => targets.period_work_hours("decade"), /unknown period/);
});

test("TP-03 which target applies", () => {
    const pick = (t, range, w = 2) => {
        const c = targets.choose_target(t, range[0], range[1], w);
        return c && [c[0], c[1], Math.round(c[2] * 1000) / 1000];
    };
    assert.deepEqual(pick({ week: 40 }, WEEK), ["week", 40, 1]);
    assert.deepEqual(pick({ day: 8 }, WEEK), ["day", 8, 5]); // scaled to the 5 workdays
    assert.deepEqual(pick({ day: 8, week: 35 }, WEEK), ["week", 35, 1]);
    assert.deepEqual(pick({ day: 8, week: 35, month: 150 }, WEEK), ["week", 35, 1]); // month factor 0.23 stops
    assert.deepEqual(pick({ day: 8, month: 160 }, [D(2, 5), D(2, 6)]), ["day", 8, 1]);
    assert.deepEqual(pick({ month: 160 }, [D(2, 5), D(2, 6)]), ["month", 160, 0.047]);
    assert.deepEqual(pick({ week: 40, month: 160 }, [D(2, 1), D(3, 1)]), ["month", 160, 0.984]);
    assert.deepEqual(pick({ week: 40, year: 1600 }, [D(1, 1), dt.make_time(2025, 1, 1)]), ["year", 1600, 1.004]); // 262 weekdays in 2024: 6288 / 6264 h
    assert.equal(pick({}, WEEK), null);
    assert.equal(pick({ week: 0 }, WEEK), null); // "No target" stores nothing useful
    assert.equal(pick(null, WEEK), null);
});

test("TP-03 progress text: percent, left/over, estimates", () => {
    let p = targets.target_progress({ week: 40 }, WEEK[0], WEEK[1], 30 * H, 2);
    assert.equal(p.text, "week target at 75%");
    assert.equal(p.right_text, "left: 10h00m");
    assert.equal(p.estimate, false);
    assert.equal(p.target, 40 * H);
    assert.equal(p.left, 10 * H);
    assert.equal(p.over, 0);
    p = targets.target_progress({ week: 40 }, WEEK[0], WEEK[1], 45 * H + 1800, 2, "colon");
    assert.equal(p.text, "week target at 114%");
    assert.equal(p.right_text, "over: 5:30");
    p = targets.target_progress({ day: 8 }, WEEK[0], WEEK[1], 30 * H, 2);
    assert.equal(p.text, "~ day target at 75%");
    assert.equal(p.target, 40 * H);
    p = targets.target_progress({ month: 160 }, D(2, 1), D(3, 1), 150 * H, 2);
    assert.equal(p.text, "month target at 95%"); // factor 0.984: not an estimate
    assert.equal(p.right_text, "left: " + dt.duration_string(160 * H * (504 / (720 - 24 * 4.33 * 2)) - 150 * H));
    p = targets.target_progress({ day: 8 }, D(2, 5, 9), D(2, 5, 12), 2 * H, 0, "dhms");
    assert.equal(p.text, "~ day target at 200%"); // 3 hours of a 24-hour day: 1 h target
    assert.equal(p.right_text, "over: 1h00m");
    assert.equal(targets.target_progress({}, WEEK[0], WEEK[1], 0, 2), null);
});

test("quirk 14: a day target on a free day", () => {
    const sat = [D(2, 10), D(2, 11)];
    let p = targets.target_progress({ day: 8 }, sat[0], sat[1], 2 * H, 2);
    assert.equal(p.text, "No target on free days");
    assert.equal(p.percent, null);
    assert.equal(p.right_text, "over: 2h00m");
    p = targets.target_progress({ day: 8 }, sat[0], sat[1], 0, 2);
    assert.equal(p.right_text, "");
    // with every day a workday the Saturday has its 8 hours
    p = targets.target_progress({ day: 8 }, sat[0], sat[1], 2 * H, 0);
    assert.equal(p.text, "day target at 25%");
    assert.equal(p.right_text, "left: 6h00m");
});
