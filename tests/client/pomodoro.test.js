// pomodoro: the state machine of the pomodoro (TP-05 ... TP-07): the cycle, the
// sounds it asks for, the texts, and saved states read back as data.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const pomodoro = load("pomodoro");
const T0 = 1710424800; // any time

test("TP-05 the button walks the cycle: work, pre-break, break, pre-work", () => {
    let p = pomodoro.fresh();
    assert.equal(p.state, "pre-work");
    assert.equal(pomodoro.button_label(p), "Start working");
    assert.equal(pomodoro.label(p, T0), "Work (25:00)");

    let [q, ev] = pomodoro.press(p, T0);
    assert.deepEqual([q.state, q.until, ev], ["work", T0 + 1500, "windup"]);
    assert.equal(pomodoro.button_label(q), "Stop");
    assert.equal(pomodoro.label(q, T0 + 61), "Working: 23:59");
    assert.equal(pomodoro.title_prefix(q), "Working | ");
    assert.equal(p.state, "pre-work", "the old object is not changed");

    [q, ev] = pomodoro.press(q, T0 + 100);
    assert.deepEqual([q.state, q.until, ev], ["pre-break", 0, "manual"]);
    assert.equal(pomodoro.label(q, T0), "Break (5:00)");
    assert.equal(pomodoro.button_label(q), "Start break");
    assert.equal(pomodoro.title_prefix(q), "");

    [q, ev] = pomodoro.press(q, T0 + 200);
    assert.deepEqual([q.state, q.until, ev], ["break", T0 + 500, "windup"]);
    assert.equal(pomodoro.label(q, T0 + 200.5), "Break: 5:00", "rounded up");
    assert.equal(pomodoro.title_prefix(q), "Break | ");

    [q, ev] = pomodoro.press(q, T0 + 250);
    assert.deepEqual([q.state, q.until, ev], ["pre-work", 0, "manual"]);
});

test("TP-05 a period that runs out moves on with an alarm (TP-07)", () => {
    let [p] = pomodoro.start(pomodoro.fresh(), "work", T0);
    let [q, ev] = pomodoro.tick(p, T0 + 1499.9);
    assert.equal(q, p, "not over yet: the same pomodoro, no event");
    assert.equal(ev, "");
    [q, ev] = pomodoro.tick(p, T0 + 1500);
    assert.deepEqual([q.state, ev], ["pre-break", "alarm"]);
    const msg = pomodoro.alarm_message(q);
    assert.equal(msg.title, "Time for a break");
    assert.deepEqual(msg.actions.map((a) => a[0]), ["break", "close"]);

    [p] = pomodoro.start(q, "break", T0 + 2000);
    assert.equal(p.until, T0 + 2300);
    [q, ev] = pomodoro.tick(p, T0 + 9999); // the page slept: still one step
    assert.deepEqual([q.state, ev], ["pre-work", "alarm"]);
    assert.equal(pomodoro.alarm_message(q).title, "The break is over");
    assert.deepEqual(pomodoro.alarm_message(q).actions.map((a) => a[0]), ["work", "close"]);
    // Nothing runs: ticking does nothing.
    assert.deepEqual(pomodoro.tick(q, T0 + 99999), [q, ""]);
});

test("TP-06 records start work from any state and reset it", () => {
    for (const state of ["pre-work", "work", "pre-break", "break"]) {
        const [p, ev] = pomodoro.start({ state, until: T0 + 5 }, "work", T0 + 10);
        assert.deepEqual([p.state, p.until, ev], ["work", T0 + 1510, "windup"], state);
    }
    const [p, ev] = pomodoro.reset();
    assert.deepEqual([p.state, p.until, ev], ["pre-work", 0, ""]);
});

test("TL-25 the status text under the record buttons", () => {
    const [p] = pomodoro.start(pomodoro.fresh(), "work", T0);
    assert.equal(pomodoro.status_text(p, T0 + 777), "work: 12m03s");
    assert.equal(pomodoro.status_text(pomodoro.fresh(), T0), "");
    const [b] = pomodoro.start(p, "break", T0);
    assert.equal(pomodoro.status_text(b, T0 + 1), "break: 4m59s");
    assert.equal(pomodoro.clock_text(0), "0:00");
    assert.equal(pomodoro.clock_text(59.2), "1:00");
});

test("a saved pomodoro is data: what is not valid reads as a new one", () => {
    const [p] = pomodoro.start(pomodoro.fresh(), "break", T0);
    assert.deepEqual(pomodoro.from_json(pomodoro.to_json(p)), { state: "break", until: T0 + 300 });
    assert.deepEqual(pomodoro.from_json('{"state":"pre-break","until":5}'), { state: "pre-break", until: 0 });
    for (const bad of [null, "", "{", "[]", '"work"', '{"state":"sleep","until":5}',
        '{"state":"work"}', '{"state":"work","until":"soon"}', '{"state":"toString","until":1}']) {
        assert.deepEqual(pomodoro.from_json(bad), { state: "pre-work", until: 0 }, String(bad));
    }
});
