// settingsdialog: the controls of the settings dialog as data (ST-21): every setting of
// ST-01 ... ST-12 once, in the section of where it is stored, with choices that are the
// allowed values of the spec; select texts mapped back to typed values.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

const dt = load("dt");
const settings = load("settings");
const sd = load("settingsdialog");

const NOW = dt.make_time(2024, 3, 17, 12);

function flat() {
    const res = {};
    for (const [id, , groups] of sd.controls(NOW)) {
        for (const [, list] of groups) {
            for (const c of list) {
                assert.ok(!(c.key in res), `${c.key} twice`);
                res[c.key] = Object.assign({ section: id }, c);
            }
        }
    }
    return res;
}

test("every setting once, in the section of where it is stored", () => {
    const all = flat();
    const synced = ["first_day_of_week", "workdays", "date_repr", "time_repr", "duration_repr", "today_snap_offset", "today_end_offset", "show_stopwatch", "currency"];
    const device = ["darkmode", "width_mode", "notifications", "pomodoro_enabled"];
    assert.deepEqual(Object.keys(all).sort(), synced.concat(device).sort());
    for (const key of synced) {
        assert.equal(all[key].section, "user", key);
        assert.equal(settings.is_local(key), false, key);
    }
    for (const key of device) {
        assert.equal(all[key].section, "device", key);
        assert.equal(settings.is_local(key), true, key);
    }
});

test("choices are the allowed values, and include each default", () => {
    const all = flat();
    const values = (key) => all[key].choices.map((c) => c[0]);
    assert.deepEqual(values("first_day_of_week"), [0, 1, 6]);
    assert.deepEqual(values("workdays"), [2, 1, 0]);
    assert.deepEqual(values("date_repr"), ["yyyy-mm-dd", "dd-mm-yyyy", "mm/dd/yyyy"]);
    assert.deepEqual(values("time_repr"), ["auto", "24h", "ampm"]);
    assert.deepEqual(values("duration_repr"), ["dhms", "hms", "colon"]);
    assert.deepEqual(values("today_snap_offset"), ["-3h", "-2h", "-1h", "", "1h", "2h", "3h", "4h", "5h", "6h", "7h", "8h", "9h"]);
    assert.deepEqual(values("today_end_offset"), ["", "-12h"]);
    assert.deepEqual(values("darkmode"), [0, 1, 2]);
    assert.deepEqual(values("width_mode"), ["auto", "1000", "1500", "full"]);
    for (const key of ["show_stopwatch", "notifications", "pomodoro_enabled"]) {
        assert.ok(all[key].checkbox, key);
    }
    for (const key of Object.keys(all)) {
        if (all[key].choices) {
            assert.ok(values(key).includes(settings.get_default(key)), `default of ${key} is a choice`);
        }
    }
    // the date formats show today's date as the example
    assert.deepEqual(all.date_repr.choices.map((c) => c[1]), ["2024-03-17 (ISO)", "17-03-2024", "03/17/2024 (US)"]);
    assert.equal(all.today_snap_offset.choices[0][1], "21:00");
});

test("choice_value maps select texts back to typed values", () => {
    const all = flat();
    assert.equal(sd.choice_value(all.first_day_of_week.choices, "6"), 6);
    assert.equal(sd.choice_value(all.darkmode.choices, "0"), 0);
    assert.equal(sd.choice_value(all.today_snap_offset.choices, ""), "");
    assert.equal(sd.choice_value(all.width_mode.choices, "1500"), "1500");
    assert.equal(sd.choice_value(all.workdays.choices, "7"), null);
});

test("time zone text: the offset and the zone name", () => {
    assert.equal(sd.time_zone_text(NOW), "UTC+01:00 (Europe/Amsterdam)");
    assert.equal(sd.time_zone_text(dt.make_time(2024, 7, 1)), "UTC+02:00 (Europe/Amsterdam)");
});
