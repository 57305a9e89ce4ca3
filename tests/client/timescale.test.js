// timescale: scales and snapping (TL-05), stepping (TL-08), zooming (TL-09), today
// (TL-10), periods (TL-11), ticks and their labels (TL-16), header text (TL-03),
// records vs stats mode and block periods (TL-17, TL-19), animation (TL-06), label
// layout (TL-18) and drag rounding/snapping (RC-18). All in Europe/Amsterdam unless a
// test says otherwise, so daylight-saving changes are real.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone } = require("./harness.js");

useZone();

assert.equal(new Date(Date.UTC(2024, 6, 1, 12)).getTimezoneOffset(), -120, "TZ not applied");

const dt = load("dt");
const ts = load("timescale");

const local = (y, mo, d, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
const H = 3600;
const D = 86400;

function assertRange(actual, expected, msg) {
    assert.deepEqual(actual.map((t) => Math.round(t)), expected.map((t) => Math.round(t)), msg);
}

test("TL-05 scale index follows the thresholds", () => {
    assert.equal(ts.SCALES[ts.scale_index(5 * 60)][0], "5m");
    assert.equal(ts.SCALES[ts.scale_index(8 * 60)][0], "20m");
    assert.equal(ts.SCALES[ts.scale_index(H)][0], "1h");
    assert.equal(ts.SCALES[ts.scale_index(D)][0], "1D");
    assert.equal(ts.SCALES[ts.scale_index(7 * D)][0], "1W");
    assert.equal(ts.SCALES[ts.scale_index(31 * D)][0], "1M");
    assert.equal(ts.SCALES[ts.scale_index(49 * D)][0], "7W");
    assert.equal(ts.SCALES[ts.scale_index(92 * D)][0], "3M");
    assert.equal(ts.SCALES[ts.scale_index(366 * D)][0], "1Y");
    assert.equal(ts.SCALES[ts.scale_index(100 * 365 * D)][0], "20Y");
});

test("TL-05 an aligned range is left alone, also across DST", () => {
    const day = [local(2024, 3, 31), local(2024, 4, 1)]; // 23 hours long
    assert.equal(day[1] - day[0], 23 * H);
    assertRange(ts.snap_range(day[0], day[1]), day);
    const month = [local(2024, 2, 1), local(2024, 3, 1)];
    assertRange(ts.snap_range(month[0], month[1]), month);
    assert.ok(ts.is_snapped(month[0], month[1]));
    assert.ok(!ts.is_snapped(month[0] + 60, month[1]));
});

test("TL-05 snapping keeps the centre and rounds the start to the step", () => {
    // A day-ish range from 10:20 to 10:20 the next day snaps to a 1D range on whole hours.
    const t1 = local(2024, 5, 10, 10, 20);
    const snapped = ts.snap_range(t1, t1 + D);
    assertRange(snapped, [local(2024, 5, 10, 10), local(2024, 5, 11, 10)]);
    // A 70-minute range snaps to an hour on 5-minute boundaries around its centre.
    const a = local(2024, 5, 10, 9, 2);
    const s2 = ts.snap_range(a, a + 70 * 60);
    assert.equal(s2[1] - s2[0], H);
    assert.equal(new Date(s2[0] * 1000).getMinutes() % 5, 0);
    const centre = a + 35 * 60;
    assert.ok(Math.abs((s2[0] + s2[1]) / 2 - centre) <= 150);
    // 33 days around mid-March snap to a whole month.
    const m = ts.snap_range(local(2024, 2, 27), local(2024, 3, 31));
    assertRange(m, [local(2024, 3, 1), local(2024, 4, 1)]);
    // A panned week keeps whole days.
    const w = ts.snap_range(local(2024, 5, 6, 7), local(2024, 5, 13, 7));
    assertRange(w, [local(2024, 5, 6), local(2024, 5, 13)]);
});

test("TL-08 step by the range length below 80000 s, else by the calendar unit", () => {
    const t1 = local(2024, 5, 10, 9);
    assertRange(ts.step_range(t1, t1 + 3 * H, 1), [t1 + 3 * H, t1 + 6 * H]);
    assertRange(ts.step_range(t1, t1 + 3 * H, -1), [t1 - 3 * H, t1]);
    // A day across the spring DST change: the next day, not 24 hours.
    const d = [local(2024, 3, 30), local(2024, 3, 31)];
    assertRange(ts.step_range(d[0], d[1], 1), [local(2024, 3, 31), local(2024, 4, 1)]);
    assertRange(ts.step_range(d[0], d[1], -1), [local(2024, 3, 29), local(2024, 3, 30)]);
    // Months step by a month, quarters by a quarter, years by a year.
    assertRange(ts.step_range(local(2024, 1, 1), local(2024, 2, 1), 1), [local(2024, 2, 1), local(2024, 3, 1)]);
    assertRange(ts.step_range(local(2024, 4, 1), local(2024, 7, 1), -1), [local(2024, 1, 1), local(2024, 4, 1)]);
    assertRange(ts.step_range(local(2024, 1, 1), local(2025, 1, 1), 1), [local(2025, 1, 1), local(2026, 1, 1)]);
    assertRange(ts.step_range(local(2020, 1, 1), local(2025, 1, 1), 1), [local(2021, 1, 1), local(2026, 1, 1)]);
    // A week steps by a week.
    assertRange(ts.step_range(local(2024, 3, 25), local(2024, 4, 1), -1), [local(2024, 3, 18), local(2024, 3, 25)]);
});

test("TL-09 zoom goes to the neighbouring scale's unit around now or the centre", () => {
    const now = local(2024, 5, 15, 14, 30); // a Wednesday
    const day = [local(2024, 5, 15), local(2024, 5, 16)];
    assertRange(ts.zoom_range(day[0], day[1], -1, now), [local(2024, 5, 13), local(2024, 5, 20)]);
    assertRange(ts.zoom_range(day[0], day[1], -1, now, 0), [local(2024, 5, 12), local(2024, 5, 19)]);
    assertRange(ts.zoom_range(day[0], day[1], 1, now), [local(2024, 5, 15, 12), local(2024, 5, 16)]);
    // Now outside the range: the centre is the reference.
    const other = [local(2024, 1, 10), local(2024, 1, 11)];
    assertRange(ts.zoom_range(other[0], other[1], -1, now), [local(2024, 1, 8), local(2024, 1, 15)]);
    // From a week to a month, from a month to 7 weeks, from a year to 2 years.
    const week = [local(2024, 5, 13), local(2024, 5, 20)];
    assertRange(ts.zoom_range(week[0], week[1], -1, now), [local(2024, 5, 1), local(2024, 6, 1)]);
    const year = [local(2024, 1, 1), local(2025, 1, 1)];
    assertRange(ts.zoom_range(year[0], year[1], -1, now), [local(2024, 1, 1), local(2026, 1, 1)]);
    // The ends of the list clamp.
    const tiny = [now - 300, now];
    assert.equal(Math.round(ts.zoom_range(tiny[0], tiny[1], 1, now - 10)[1] - ts.zoom_range(tiny[0], tiny[1], 1, now - 10)[0]), 300);
});

test("TL-10 today with start and end offsets, and the toggle to the plain day", () => {
    const now = local(2024, 5, 15, 14, 30);
    assertRange(ts.today_range(now), [local(2024, 5, 15), local(2024, 5, 16)]);
    assertRange(ts.today_range(now, "6h"), [local(2024, 5, 15, 6), local(2024, 5, 16, 6)]);
    assertRange(ts.today_range(now, "-3h"), [local(2024, 5, 14, 21), local(2024, 5, 15, 21)]);
    assertRange(ts.today_range(now, "", "-12h"), [local(2024, 5, 15), local(2024, 5, 15, 12)]);
    // A start still in the future uses the previous day.
    const early = local(2024, 5, 15, 4);
    assertRange(ts.today_range(early, "6h"), [local(2024, 5, 14, 6), local(2024, 5, 15, 6)]);
    // Pressing again on exactly the custom range shows the plain day, and back.
    const custom = ts.today_range(now, "6h");
    assertRange(ts.today_toggle(custom, now, "6h"), [local(2024, 5, 15), local(2024, 5, 16)]);
    assertRange(ts.today_toggle([0, 100], now, "6h"), custom);
    // Without offsets the toggle stays on the plain day.
    assertRange(ts.today_toggle(ts.plain_day_range(now), now), ts.plain_day_range(now));
    assert.equal(ts.parse_offset("-3h"), -3 * H);
    assert.equal(ts.parse_offset("9h"), 9 * H);
    assert.equal(ts.parse_offset("30m"), 1800);
    assert.equal(ts.parse_offset("nonsense"), 0);
});

test("TL-11 calendar periods around now honour the first day of the week", () => {
    const now = local(2024, 5, 15, 14, 30);
    assertRange(ts.period_range(now, "1W", 1), [local(2024, 5, 13), local(2024, 5, 20)]);
    assertRange(ts.period_range(now, "1W", 0), [local(2024, 5, 12), local(2024, 5, 19)]);
    assertRange(ts.period_range(now, "1W", 6), [local(2024, 5, 11), local(2024, 5, 18)]);
    assertRange(ts.period_range(now, "1M"), [local(2024, 5, 1), local(2024, 6, 1)]);
    assertRange(ts.period_range(now, "3M"), [local(2024, 4, 1), local(2024, 7, 1)]);
    assertRange(ts.period_range(now, "1Y"), [local(2024, 1, 1), local(2025, 1, 1)]);
    // n: the current scale's period containing now.
    const lastWeek = [local(2024, 5, 6), local(2024, 5, 13)];
    assertRange(ts.current_period(lastWeek[0], lastWeek[1], now), [local(2024, 5, 13), local(2024, 5, 20)]);
});

test("TL-06 animation interpolates the length geometrically and ends on target", () => {
    const a = [0, 1000];
    const b = [0, 100000];
    assertRange(ts.interpolate_range(a, b, 0), a);
    assertRange(ts.interpolate_range(a, b, 1), b);
    const mid = ts.interpolate_range(a, b, 0.5);
    assert.ok(Math.abs(mid[1] - mid[0] - 10000) < 1, "geometric middle of 1000 and 100000");
    assert.equal(mid[0], 0, "the shared start stays put");
    const pan = ts.interpolate_range([0, 100], [50, 150], 0.5);
    assertRange(pan, [25, 125]);
    assert.ok(Math.abs(ts.animation_duration(a, a) - 0.3) < 1e-9);
    assert.ok(ts.animation_duration(a, b) > 0.7);
    assert.equal(ts.ease(0), 0);
    assert.equal(ts.ease(1), 1);
    assert.ok(ts.ease(0.5) > 0.5);
});

test("TL-16 tick choice keeps major ticks apart and ticks weekly for week-ish ranges", () => {
    const day = [local(2024, 5, 15), local(2024, 5, 16)];
    // 600 px: majors at least 4*sqrt(150) = 49 px apart; an hour is 25 px, two hours 50.
    assert.deepEqual(ts.choose_ticks(day[0], day[1], 600), ["2h", "15m"]);
    assert.deepEqual(ts.choose_ticks(day[0], day[1], 2400)[0], "1h");
    assert.deepEqual(ts.choose_ticks(day[0], day[0] + H, 600)[0], "5m");
    const week = [local(2024, 5, 13), local(2024, 5, 20)];
    assert.deepEqual(ts.choose_ticks(week[0], week[1], 600), ["1D", "3h"]);
    const month = [local(2024, 5, 1), local(2024, 6, 1)];
    assert.deepEqual(ts.choose_ticks(month[0], month[1], 600), ["1W", "1D"]);
    const year = [local(2024, 1, 1), local(2025, 1, 1)];
    assert.equal(ts.choose_ticks(year[0], year[1], 600)[0], "1M");
    const decade = [local(2020, 1, 1), local(2030, 1, 1)];
    assert.equal(ts.choose_ticks(decade[0], decade[1], 600)[0], "1Y");
    // Minor ticks are never closer than 4 px.
    for (const [a, b] of [day, week, month, year, decade]) {
        const [maj, min] = ts.choose_ticks(a, b, 300);
        assert.ok(ts.unit_seconds(min) * 300 / (b - a) >= 4 || min === maj, `${maj}/${min}`);
    }
});

test("TL-16 tick times cover the range and skip the missing spring hour", () => {
    const t1 = local(2024, 3, 31);
    const times = ts.tick_times(t1, t1 + 23 * H, "1h");
    assert.equal(times.length, 24); // 23 hours long: 24 boundaries including both ends
    const hours = times.map((t) => new Date(t * 1000).getHours());
    assert.ok(!hours.slice(1).includes(2), "02:00 does not exist that night");
    // Autumn: the repeated hour gets its own tick.
    const a1 = local(2024, 10, 27);
    const autumn = ts.tick_times(a1, a1 + 25 * H - 1, "1h");
    assert.equal(autumn.length, 25);
    assert.equal(autumn.filter((t) => new Date(t * 1000).getHours() === 2).length, 2);
});

test("TL-16 tick labels per granularity", () => {
    assert.equal(ts.tick_label(local(2024, 5, 15, 13, 30), "30m"), "13:30");
    assert.equal(ts.tick_label(local(2024, 5, 15, 13, 30), "30m", true), "1:30 pm");
    assert.equal(ts.tick_label(local(2024, 5, 15, 13), "2h"), "13h");
    assert.equal(ts.tick_label(local(2024, 5, 15, 13), "2h", true), "1 pm");
    assert.equal(ts.tick_label(local(2024, 5, 15, 0), "2h"), "Wed 15");
    assert.equal(ts.tick_label(local(2024, 5, 1, 0), "2h"), "Wed 1 May");
    assert.equal(ts.tick_label(local(2024, 5, 15), "1D"), "Wed 15");
    assert.equal(ts.tick_label(local(2024, 5, 13), "1W"), "13 May");
    assert.equal(ts.tick_label(local(2024, 1, 1), "1W"), "1 Jan 2024");
    assert.equal(ts.tick_label(local(2024, 5, 1), "1M"), "May");
    assert.equal(ts.tick_label(local(2024, 1, 1), "1M"), "Jan 2024");
    assert.equal(ts.tick_label(local(2024, 1, 1), "1Y"), "2024");
});

test("TL-03 header text for days, weeks, months, quarters and years", () => {
    const fdow = 1;
    assert.deepEqual(ts.header_text(local(2024, 2, 5), local(2024, 2, 6), fdow), ["Mon 5", "Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 5), local(2024, 2, 8), fdow), ["Mon 5 - Wed 7", "Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 5), local(2024, 2, 12), fdow), ["Week 6", "5-11  Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 6), local(2024, 2, 13), fdow), ["6 - 12", "Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 1), local(2024, 3, 1), fdow), ["Feb", "2024"]);
    assert.deepEqual(ts.header_text(local(2024, 1, 29), local(2024, 2, 5), fdow), ["Week 5", "Jan / Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 1, 20), local(2024, 2, 10), fdow), ["Jan / Feb", "2024"]);
    assert.deepEqual(ts.header_text(local(2024, 1, 1), local(2025, 1, 1), fdow), ["2024", ""]);
    assert.deepEqual(ts.header_text(local(2024, 4, 1), local(2024, 7, 1), fdow), ["Q2", "2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 1), local(2024, 6, 1), fdow), ["Feb - May", "2024"]);
    assert.deepEqual(ts.header_text(local(2024, 12, 30), local(2025, 1, 6), fdow), ["Week 1", "Dec 2024 / Jan 2025"]);
    assert.deepEqual(ts.header_text(local(2024, 12, 20), local(2025, 1, 10), fdow), ["Dec 2024 / Jan 2025", ""]);
    assert.deepEqual(ts.header_text(local(2024, 10, 1), local(2025, 3, 1), fdow), ["Oct 2024 - Feb 2025", ""]);
    assert.deepEqual(ts.header_text(local(2020, 1, 1), local(2025, 1, 1), fdow), ["2020 - 2024", ""]);
    // A week across the autumn DST change (one hour longer) is still a week.
    assert.deepEqual(ts.header_text(local(2024, 10, 21), local(2024, 10, 28), fdow), ["Week 43", "21-27  Oct 2024"]);
    // With Sunday as the first day, a Monday-Sunday range is not a calendar week.
    assert.deepEqual(ts.header_text(local(2024, 2, 5), local(2024, 2, 12), 0), ["5 - 11", "Feb 2024"]);
    assert.deepEqual(ts.header_text(local(2024, 2, 4), local(2024, 2, 11), 0)[0], "Week 6");
});

test("TL-17 records mode below two days; stat block periods and labels", () => {
    const t = local(2024, 5, 15);
    assert.ok(ts.is_records_mode(t, t + D));
    assert.ok(!ts.is_records_mode(t, t + 2 * D));
    assert.equal(ts.stats_unit(t, t + 7 * D), "1D");
    assert.equal(ts.stats_unit(t, t + 31 * D), "1W");
    assert.equal(ts.stats_unit(t, t + 92 * D), "1M");
    assert.equal(ts.stats_unit(t, t + 366 * D), "1M");
    assert.equal(ts.stats_unit(t, t + 731 * D), "3M");
    assert.equal(ts.stats_unit(t, t + 3650 * D), "1Y");
    assert.equal(ts.block_label(local(2024, 5, 15), "1D"), "Wed 15");
    assert.equal(ts.block_label(local(2024, 2, 5), "1W"), "W06");
    assert.equal(ts.block_label(local(2024, 11, 18), "1W"), "W47");
    assert.equal(ts.block_label(local(2024, 5, 1), "1M"), "May");
    assert.equal(ts.block_label(local(2024, 5, 1), "3M"), "Q2");
    assert.equal(ts.block_label(local(2024, 1, 1), "1Y"), "2024");
    assert.ok(ts.is_free_day(local(2024, 5, 19), 1)); // Sunday
    assert.ok(!ts.is_free_day(local(2024, 5, 18), 1)); // Saturday, 1 free day
    assert.ok(ts.is_free_day(local(2024, 5, 18), 2));
    assert.ok(!ts.is_free_day(local(2024, 5, 19), 0));
});

test("TL-18 labels spread into clusters that keep their spacing and bounds", () => {
    // Far apart: unchanged.
    assert.deepEqual(ts.layout_labels([100, 200, 300], 0, 1000, 48), [100, 200, 300]);
    // Two close labels spread evenly around their mean.
    assert.deepEqual(ts.layout_labels([100, 110], 0, 1000, 48), [81, 129]);
    // A chain of close labels merges into one cluster, possibly over several passes.
    const pos = ts.layout_labels([100, 120, 140, 160, 400], 0, 1000, 48);
    for (let i = 1; i < pos.length; i++) {
        assert.ok(pos[i] - pos[i - 1] >= 48 - 1e-9, `gap ${i}: ${pos}`);
    }
    assert.equal(pos[4], 400);
    // Clusters touching an edge stack from it.
    assert.deepEqual(ts.layout_labels([5, 10], 20, 1000, 48), [20, 68]);
    assert.deepEqual(ts.layout_labels([995, 999], 0, 980, 48), [932, 980]);
    // Too many labels for the space shrink the spacing and stay inside.
    const many = ts.layout_labels(Array.from({ length: 30 }, (_, i) => 100 + i), 0, 290, 48);
    assert.equal(many.length, 30);
    assert.ok(many[0] >= -1e-9 && many[29] <= 290 + 1e-9);
    assert.deepEqual(ts.layout_labels([], 0, 100, 48), []);
});

test("RC-06 drag to create: the label and the record get the same rounded times", () => {
    const spp = 86400 / 600; // a day on 600 px: 5-minute steps
    const now = local(2024, 3, 14, 15);
    // 11:56:40 .. 13:55:10 shows and becomes 11:55 .. 13:55 (not 11:56 in the label)
    assert.deepEqual(ts.create_times(local(2024, 3, 14, 13, 55, 10), local(2024, 3, 14, 11, 56, 40), spp, now), [
        local(2024, 3, 14, 11, 55),
        local(2024, 3, 14, 13, 55),
    ]);
    // at least a minute; never past now when it starts before now
    assert.deepEqual(ts.create_times(local(2024, 3, 14, 9, 0, 10), local(2024, 3, 14, 9, 0, 20), spp, now), [
        local(2024, 3, 14, 9),
        local(2024, 3, 14, 9, 1),
    ]);
    assert.deepEqual(ts.create_times(local(2024, 3, 14, 14), local(2024, 3, 14, 16), spp, now), [local(2024, 3, 14, 14), now]);
});

test("RC-18 drag rounding depends on zoom and snaps to neighbouring records", () => {
    assert.equal(ts.drag_step(86400 / 600), 300); // a day on 600 px: 144 s per 10 px
    assert.equal(ts.drag_step(7), 60);
    assert.equal(ts.drag_step(1), 1);
    const t = local(2024, 5, 15, 10, 7, 31);
    assert.equal(ts.round_time(t, 300), local(2024, 5, 15, 10, 10));
    assert.equal(ts.round_time(t, 60), local(2024, 5, 15, 10, 8));
    // Snap to a record end 2 minutes later (within 2.5 x 144 s).
    const end = local(2024, 5, 15, 10, 9, 40);
    assert.deepEqual(ts.snap_time(t, [end], 14.4), [end, true]);
    // A target far away: plain rounding.
    assert.deepEqual(ts.snap_time(t, [end + 3600], 14.4), [local(2024, 5, 15, 10, 10), false]);
    // Past the target by more than half a step: no snap.
    assert.deepEqual(ts.snap_time(end + 200, [end], 14.4)[1], false);
});

test("RC-18 drag edits keep records at least 2 s long and running records running", () => {
    const spp = 14.4;
    const now = local(2024, 5, 15, 15);
    const rec = { t1: local(2024, 5, 15, 10), t2: local(2024, 5, 15, 11) };
    const other = { t1: local(2024, 5, 15, 8), t2: local(2024, 5, 15, 9, 58) };
    // Moving the start up by a minute snaps to the other record's end.
    let r = ts.drag_edit(rec, "start", 0, -60, spp, [other], now);
    assert.deepEqual(r, [other.t2, rec.t2]);
    // The start cannot pass the end.
    r = ts.drag_edit(rec, "start", 0, 5 * H, spp, [], now);
    assert.deepEqual(r, [rec.t2 - 2, rec.t2]);
    // The end cannot pass the start.
    r = ts.drag_edit(rec, "end", 0, -5 * H, spp, [], now);
    assert.deepEqual(r, [rec.t1, rec.t1 + 2]);
    // Moving keeps the duration and rounds to 5 minutes.
    r = ts.drag_edit(rec, "move", 0, 20 * 60 + 70, spp, [], now);
    assert.deepEqual(r, [local(2024, 5, 15, 10, 20), local(2024, 5, 15, 11, 20)]);
    // Moving snaps by the end to the start of a later record.
    const later = { t1: local(2024, 5, 15, 12, 3), t2: local(2024, 5, 15, 13) };
    r = ts.drag_edit(rec, "move", 0, 3600 + 60, spp, [later], now);
    assert.deepEqual(r, [later.t1 - 3600, later.t1]);
    // A running record: the start moves, not past now; end and body do not move.
    const run = { t1: local(2024, 5, 15, 14), t2: local(2024, 5, 15, 14) };
    r = ts.drag_edit(run, "start", 0, -30 * 60, spp, [], now);
    assert.deepEqual(r, [local(2024, 5, 15, 13, 30), local(2024, 5, 15, 13, 30)]);
    r = ts.drag_edit(run, "start", 0, 5 * H, spp, [], now);
    assert.deepEqual(r, [now, now]);
    assert.deepEqual(ts.drag_edit(run, "end", 0, H, spp, [], now), [run.t1, run.t2]);
    assert.deepEqual(ts.drag_edit(run, "move", 0, H, spp, [], now), [run.t1, run.t2]);
});
