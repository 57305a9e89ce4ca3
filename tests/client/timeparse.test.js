// timeparse: the time text parser of the record dialog (RC-13, TS-42..TS-51).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const timeparse = load("timeparse");

function check(cases) {
    for (const [text, expected] of cases) {
        const got = timeparse.parse_time(text);
        assert.deepEqual(got === null ? null : Array.from(got), expected, JSON.stringify(text));
    }
}

test("TS-42 empty and zero", () => {
    check([["", null], ["   ", null], [null, null], ["0", [0, 0, 0]], ["foo", null], ["-5", null], ["h", null], ["1.5", null]]);
});

test("TS-43 separators", () => {
    check([
        ["12", [12, 0, 0]], ["12:34", [12, 34, 0]], ["12:34:56", [12, 34, 56]],
        ["12 34", [12, 34, 0]], ["12 34 56", [12, 34, 56]],
        [" 12 : 34 ", [12, 34, 0]], ["12;34,56", [12, 34, 56]], ["9:05", [9, 5, 0]],
    ]);
});

test("TS-44 units", () => {
    check([
        ["12h", [12, 0, 0]], ["12h 34m", [12, 34, 0]], ["12h 34m 56s", [12, 34, 56]],
        ["34m", [0, 34, 0]], ["12h 56s", [12, 0, 56]], ["12h34m", [12, 34, 0]],
        ["1h 30", [1, 30, 0]], ["12H 34M", [12, 34, 0]], ["45m", [0, 45, 0]],
    ]);
});

test("TS-45 packed digits", () => {
    check([["1234", [12, 34, 0]], ["123456", [12, 34, 56]], ["0930", [9, 30, 0]], ["12345", [12, 34, 5]]]);
});

test("TS-46 values beyond seconds are ignored", () => {
    check([["12:34:56:42", [12, 34, 56]], ["12 34 56 42", [12, 34, 56]], ["12345642", [12, 34, 56]]]);
});

test("TS-47 non-numeric words are ignored", () => {
    check([["foo 12", [12, 0, 0]], ["foo 12 bar 34", [12, 34, 0]], ["12 34 spam 56 eggs", [12, 34, 56]]]);
});

test("TS-48 am", () => {
    check([["4:34 am", [4, 34, 0]], ["4 34 AM", [4, 34, 0]], ["4 34m am", [4, 34, 0]], ["0434 AM", [4, 34, 0]]]);
});

test("TS-49 pm", () => {
    check([["4:34 pm", [16, 34, 0]], ["4 34 PM", [16, 34, 0]], ["4h 34m pm", [16, 34, 0]], ["0434 PM", [16, 34, 0]]]);
});

test("TS-50 am/pm edge cases", () => {
    check([
        ["12am", [0, 0, 0]], ["12:10 am", [0, 10, 0]], ["1am", [1, 0, 0]], ["11:50 am", [11, 50, 0]],
        ["12pm", [12, 0, 0]], ["12:10 pm", [12, 10, 0]], ["1pm", [13, 0, 0]], ["11:50 pm", [23, 50, 0]],
        ["13:00 pm", [13, 0, 0]], ["pm", null],
    ]);
});

test("TS-51 no clamping", () => {
    check([
        ["30", [30, 0, 0]], ["13:60", [13, 60, 0]], ["13:24:60", [13, 24, 60]], ["132", [13, 2, 0]],
        ["132:", [132, 0, 0]], ["132h", [132, 0, 0]], ["132m", [0, 132, 0]], ["132s", [0, 0, 132]],
    ]);
});
