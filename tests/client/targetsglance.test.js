// Targets at a glance: the user's work week (working days chosen by the user), days off
// lowering the week's and month's targets, the strict reading of both settings, and the
// list of every target with its progress in the current period.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const targets = load("targets");
const glance = load("targetglance");

const D = (mo, d, h = 0) => dt.make_time(2024, mo, d, h);
const H = 3600;
const WEEK = [D(2, 5), D(2, 12)]; // Monday 5 .. Sunday 11 February 2024
const MON_THU = [1, 2, 3, 4];

test("work_week and days_off are read strictly", () => {
    assert.deepEqual(Array.from(targets.clean_work_week([4, 1, 2, 3, 1])), [1, 2, 3, 4]);
    for (const bad of [null, "1,2", [1, 7], [1, -1], [1.5], ["1"], { 0: 1 }]) {
        assert.deepEqual(Array.from(targets.clean_work_week(bad)), [], JSON.stringify(bad));
    }
    assert.deepEqual(
        Array.from(targets.clean_days_off(["2024-02-09", "2024-02-30", "x", 5, "2024-02-07", "2024-02-09", "2024-2-1"])),
        ["2024-02-07", "2024-02-09"]
    );
    assert.deepEqual(Array.from(targets.clean_days_off("2024-02-09")), []);
    // an empty work week follows the workdays setting (ST-02)
    assert.deepEqual(Array.from(targets.calendar(2, [], []).free), [6, 0]);
    assert.deepEqual(Array.from(targets.calendar(2, MON_THU, []).free), [0, 5, 6]);
    const cal = targets.user_calendar((key) => ({ workdays: 2, work_week: [1, 2, 3], days_off: ["2024-02-07"] })[key]);
    assert.deepEqual(Array.from(cal.free), [0, 4, 5, 6]);
    assert.deepEqual(Object.keys(cal.off), ["2024-02-07"]);
});

test("a work week of the user's days: day targets count those days only", () => {
    const cal = targets.calendar(0, MON_THU, []);
    assert.equal(targets.work_hours(WEEK[0], WEEK[1], cal), 4 * 24);
    assert.equal(targets.is_free_day(D(2, 9), cal), true); // Friday
    assert.equal(targets.is_free_day(D(2, 8), cal), false);
    // 8 h a day, Monday to Thursday: 32 h in the week view
    const prog = targets.target_progress({ day: 8 }, WEEK[0], WEEK[1], 16 * H, cal, "hms");
    assert.equal(prog.period, "day");
    assert.equal(prog.target, 32 * H);
    assert.equal(prog.percent, 50);
    // a Friday has no target
    assert.equal(targets.target_progress({ day: 8 }, D(2, 9), D(2, 10), 0, cal).text, "No target on free days");
    assert.equal(targets.period_work_hours("week", cal), 4 * 24);
});

test("days off lower the week's and the month's targets", () => {
    const plain = targets.calendar(2, [], []);
    const off = targets.calendar(2, [], ["2024-02-07", "2024-02-10", "2024-02-19"]);
    // the week: 5 working days, Wednesday off (Saturday is free anyway): 40 h -> 32 h
    assert.equal(glance.period_target(40, "week", WEEK[0], WEEK[1], plain), 40 * H);
    assert.equal(glance.period_target(40, "week", WEEK[0], WEEK[1], off), 32 * H);
    assert.equal(glance.count_days_off(WEEK[0], WEEK[1], off), 1);
    // February 2024: 21 working days, two of them off: 160 h * 19/21
    const feb = [D(2, 1), D(3, 1)];
    assert.ok(Math.abs(glance.period_target(160, "month", feb[0], feb[1], off) - (160 * H * 19) / 21) < 1e-6);
    assert.equal(glance.count_days_off(feb[0], feb[1], off), 2);
    // a day target is 0 on the day off, and whole on other working days
    assert.equal(glance.period_target(8, "day", D(2, 7), D(2, 8), off), 0);
    assert.equal(glance.period_target(8, "day", D(2, 8), D(2, 9), off), 8 * H);
    // the visible-range progress (the overview) lowers too: the week view's factor
    const prog = targets.target_progress({ week: 40 }, WEEK[0], WEEK[1], 16 * H, off);
    assert.equal(prog.target, 32 * H);
    assert.equal(prog.percent, 50);
    // with a custom work week Monday-Thursday and Wednesday off: 3 of 4 days
    const custom = targets.calendar(0, MON_THU, ["2024-02-07"]);
    assert.equal(glance.period_target(40, "week", WEEK[0], WEEK[1], custom), 30 * H);
    // a day off on a free weekday changes nothing
    const sat = targets.calendar(2, [], ["2024-02-10"]);
    assert.equal(glance.period_target(40, "week", WEEK[0], WEEK[1], sat), 40 * H);
    assert.equal(glance.count_days_off(WEEK[0], WEEK[1], sat), 0);
});

test("glance: every target with its progress in the current period", () => {
    const now = D(2, 8, 15); // Thursday afternoon
    const cal = targets.calendar(2, [], ["2024-02-07"]);
    const calls = [];
    const stats = (t1, t2) => {
        calls.push([t1, t2]);
        if (t2 - t1 <= 25 * H) {
            return { "#client1 #code": 3 * H, "#other": H };
        } else if (t2 - t1 <= 8 * 24 * H) {
            return { "#client1 #code": 20 * H, "#client1 #meeting": 2 * H, "#client2": 5 * H };
        }
        return { "#client1 #code": 50 * H, "#client2": 30 * H };
    };
    const rows = glance.glance(
        [
            ["#client1", { week: 40, day: 6 }],
            ["#client2", { month: 100 }],
            ["#client1 #code", { week: 20 }],
        ],
        stats,
        now,
        cal,
        1
    );
    const view = rows.map((r) => [r.period, r.tagz, (r.target / H).toFixed(3), r.tracked / H, r.percent, r.days_off]);
    assert.deepEqual(view, [
        ["day", "#client1", "6.000", 3, 50, 0],
        ["week", "#client1", "32.000", 22, 69, 1],
        ["week", "#client1 #code", "16.000", 20, 125, 1],
        // February: 21 working days, one off: 100 h * 20/21 = 95.238 h; 30 h is 32 %
        ["month", "#client2", "95.238", 30, 32, 1],
    ]);
    const week = rows[1];
    assert.equal(week.t1, D(2, 5));
    assert.equal(week.t2, D(2, 12));
    assert.equal(week.left, 10 * H);
    assert.equal(rows[2].over, 4 * H);
    assert.equal(rows[3].t1, D(2, 1));
    // the stats are asked once per period
    assert.equal(calls.length, 3);
    // on the day off the day target is 0: no percent
    const offDay = glance.glance([["#client1", { day: 6 }]], stats, D(2, 7, 12), cal, 1);
    assert.equal(offDay[0].target, 0);
    assert.equal(offDay[0].percent, null);
    // the week starts on Sunday when the user says so
    const sunday = glance.glance([["#client1", { week: 40 }]], stats, now, targets.calendar(0, [], []), 0);
    assert.equal(sunday[0].t1, D(2, 4));
});

test("all_targets: every tag info and legacy target with a target, sorted", () => {
    const stores = load("stores");
    const settings = load("settings");
    const taginfo = load("taginfo");
    localStorage.clear();
    const store = new stores.SandboxDataStore();
    store.close();
    taginfo.set_tag_info("#zeta", { targets: { week: 10 } });
    taginfo.set_tag_info("#code #alpha", { targets: { day: 2 } });
    taginfo.set_tag_info("#nogoal", { color: "#ff0000" });
    settings.set("tag_targets", { "#legacy": { period: "month", hours: 50 }, "#bad": { period: "x", hours: 1 } });
    settings.set("taginfo #broken", { targets: { week: "lots" } });
    assert.deepEqual(
        glance.all_targets().map((pair) => [pair[0], { ...pair[1] }]),
        [
            ["#alpha #code", { day: 2 }],
            ["#legacy", { month: 50 }],
            ["#zeta", { week: 10 }],
        ]
    );
});
