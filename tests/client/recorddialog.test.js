// recorddialog: the rules of the record dialog without a screen: titles, placeholders
// and buttons per mode (RC-07, RC-09), the 255-character cap (quirk 2), the stored
// description and hints (RC-10), one running timer (RC-15), resume (RC-03, RC-16) and
// the unsaved-changes check behind quirk 17. Also the tag presets editor (TG-10) and
// the pure parts of the small dialogs (time-range presets TL-12, menu TL-29, sync
// status TL-24) and of the markup and icons they are built with.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, useZone, local: T } = require("./harness.js");

useZone();

const rd = load("recorddialog");
const pd = load("presetsdialog");
const timerange = load("timerangedialog");
const menu = load("menudialog");
const notification = load("notificationdialog");
const basedialog = load("basedialog");
const markup = load("markup");
const icons = load("icons");
const dt = load("dt");

const NOW = T(2024, 3, 14, 15, 0);

test("titles, placeholders and submit buttons per mode", () => {
    assert.equal(rd.dialog_title("start", true), "Start record");
    assert.equal(rd.dialog_title("new", false), "New record");
    assert.equal(rd.dialog_title("edit", true), "Edit running record");
    assert.equal(rd.dialog_title("edit", false), "Edit record");
    assert.equal(rd.dialog_title("stop", false), "Stop record");
    assert.equal(rd.placeholder("start", true), "What are you going to do?");
    assert.equal(rd.placeholder("new", false), "What have you done?");
    assert.equal(rd.placeholder("stop", false), "What did you just do?");
    assert.equal(rd.placeholder("edit", true), "What are you doing?");
    assert.equal(rd.placeholder("edit", false), "What has been done?");
    assert.deepEqual(rd.submit_button("start"), ["Start", "play"]);
    assert.deepEqual(rd.submit_button("new"), ["Create", "plus"]);
    assert.deepEqual(rd.submit_button("edit"), ["Save", "pencil"]);
    assert.deepEqual(rd.submit_button("stop"), ["Save", "stop"]);
});

test("Delete when editing or stopping; Resume only for a finished record", () => {
    assert.deepEqual(rd.visible_buttons("start", true), { delete: false, resume: false });
    assert.deepEqual(rd.visible_buttons("new", false), { delete: false, resume: false });
    assert.deepEqual(rd.visible_buttons("edit", false), { delete: true, resume: true });
    assert.deepEqual(rd.visible_buttons("edit", true), { delete: true, resume: false });
    assert.deepEqual(rd.visible_buttons("stop", false), { delete: true, resume: false });
});

test("quirk 2: descriptions are cut at 255 characters", () => {
    assert.deepEqual(rd.cap_description("a".repeat(255)), ["a".repeat(255), false]);
    assert.deepEqual(rd.cap_description("a".repeat(300)), ["a".repeat(255), true]);
    assert.equal(rd.MAX_CHARS, 255);
    assert.equal(rd.final_description("x".repeat(400)).length, 255);
});

test("the stored description: normalised and trimmed", () => {
    assert.equal(rd.final_description('  "Meeting #Client1#Code  '), "Meeting #client1 #code");
    assert.equal(rd.final_description("a\tb\nc #x#"), "a b c #x");
    assert.equal(rd.final_description("   "), "");
    assert.equal(rd.final_description(null), "");
});

test("hints: example without recent tags, duplicate tags, links", () => {
    assert.deepEqual(rd.description_hints("call bob", false), { example: true, duplicates: [], links: [] });
    assert.equal(rd.description_hints("call #bob", false).example, false);
    assert.equal(rd.description_hints("call bob", true).example, false);
    assert.deepEqual(rd.duplicate_tags("#a #b #A #b #c"), ["#a", "#b"]);
    assert.deepEqual(rd.find_links('see "https://example.com/x?y=1", and http://a.org/ or ftp://no'), ["https://example.com/x?y=1", "http://a.org/"]);
    assert.deepEqual(rd.find_links("https:// alone"), []);
});

test("RC-15: other running records stop at the new record's start", () => {
    const running = [
        { key: "a", t1: NOW - 3600, t2: NOW - 3600, ds: "#a" },
        { key: "b", t1: NOW - 60, t2: NOW - 60, ds: "#b" },
        { key: "self", t1: NOW - 600, t2: NOW - 600 },
    ];
    const stopped = rd.stop_others(running, "self", NOW - 600);
    assert.deepEqual(stopped.map((r) => [r.key, r.t2 - r.t1]), [["a", 3000], ["b", 2]]);
    assert.equal(running[0].t2, running[0].t1, "the inputs are not changed");
});

test("RC-03: what resume starts", () => {
    const recent = [
        { key: "x", t1: NOW - 5 * 3600, t2: NOW - 4 * 3600, ds: "older #p1" },
        { key: "y", t1: NOW - 3 * 3600, t2: NOW - 2 * 3600, ds: "latest #p2" },
        { key: "z", t1: NOW + 3600, t2: NOW + 7200, ds: "planned #p3" },
    ];
    assert.equal(rd.resume_description([], recent, NOW), "latest #p2");
    assert.equal(rd.resume_description([{ key: "r", t1: NOW - 60, t2: NOW - 60, ds: "running #p4" }], recent, NOW), "running #p4");
    assert.equal(rd.resume_description([], [{ key: "o", t1: NOW - 9 * 86400, t2: NOW - 8 * 86400, ds: "too old" }], NOW), null);
});

test("quirk 17: whether there are unsaved changes", () => {
    const orig = { key: "k", t1: NOW - 3600, t2: NOW, ds: "work #p1" };
    assert.equal(rd.has_changes(orig, "work #p1", orig.t1, orig.t2), false);
    assert.equal(rd.has_changes(orig, "work #P1 ", orig.t1, orig.t2), false, "same once normalised");
    assert.equal(rd.has_changes(orig, "work #p2", orig.t1, orig.t2), true);
    assert.equal(rd.has_changes(orig, "work #p1", orig.t1 - 60, orig.t2), true);
    assert.equal(rd.has_changes({ key: "n", t1: NOW, t2: NOW }, "", NOW, NOW), false);
});

test("TG-10 presets: tags only, in order, without repeats; empty lines kept", () => {
    assert.equal(pd.normalize_preset_line("Meeting #Client1 with #code #client1"), "#client1 #code");
    assert.deepEqual(pd.normalize_presets("#a #B\n\nno tags\n#c#d\n\n\n"), ["#a #b", "", "", "#c #d"]);
    assert.deepEqual(pd.normalize_presets("x\r\n#y"), ["", "#y"]);
    assert.equal(pd.presets_to_text(["#a", "", "#b"]), "#a\n\n#b");
    assert.deepEqual(pd.presets_summary(["#a #b", "", "#b #c"]), [2, 3]);
});

test("TG-10 presets: the 8192-character limit and dropped files", () => {
    const many = [];
    for (let i = 0; i < 700; i++) many.push("#tag" + i + " #x");
    const presets = pd.normalize_presets(many.join("\n"));
    assert.ok(pd.json_size(presets) >= pd.MAX_JSON);
    assert.ok(pd.estimate_size(many.join("\n")) >= pd.MAX_JSON);
    assert.ok(pd.json_size(["#a"]) < pd.MAX_JSON);
    assert.match(pd.check_file_name("Book1.XLSX"), /export it as CSV/);
    assert.match(pd.check_file_name("x.pdf"), /Cannot read x.pdf/);
    assert.equal(pd.check_file_name("presets.txt"), "");
});

test("TL-12 time-range presets", () => {
    const fmt = (r) => dt.format_isodate(r[0]) + ".." + dt.format_isodate(r[1]);
    assert.equal(fmt(timerange.preset_range("today", NOW)), "2024-03-14..2024-03-15");
    assert.equal(fmt(timerange.preset_range("yesterday", NOW)), "2024-03-13..2024-03-14");
    assert.equal(fmt(timerange.preset_range("this_week", NOW)), "2024-03-11..2024-03-18");
    assert.equal(fmt(timerange.preset_range("this_week", NOW, 0)), "2024-03-10..2024-03-17");
    assert.equal(fmt(timerange.preset_range("last_week", NOW)), "2024-03-04..2024-03-11");
    assert.equal(fmt(timerange.preset_range("this_month", NOW)), "2024-03-01..2024-04-01");
    assert.equal(fmt(timerange.preset_range("last_month", NOW)), "2024-02-01..2024-03-01");
    assert.equal(fmt(timerange.preset_range("this_quarter", NOW)), "2024-01-01..2024-04-01");
    assert.equal(fmt(timerange.preset_range("last_quarter", NOW)), "2023-10-01..2024-01-01");
    assert.equal(fmt(timerange.preset_range("this_year", NOW)), "2024-01-01..2025-01-01");
    assert.equal(fmt(timerange.preset_range("last_year", NOW)), "2023-01-01..2024-01-01");
    assert.equal(timerange.PRESETS.length, 10);
    assert.throws(() => timerange.preset_range("someday", NOW), /unknown time-range preset/);
});

test("TL-12 From/To dates: inclusive end, swapped when reversed, partial years ignored", () => {
    assert.deepEqual(timerange.range_to_dates(T(2024, 3, 11), T(2024, 3, 18)), ["2024-03-11", "2024-03-17"]);
    assert.deepEqual(timerange.range_to_dates(T(2024, 3, 11, 12), T(2024, 3, 11, 18)), ["2024-03-11", "2024-03-11"]);
    assert.deepEqual(timerange.dates_to_range("2024-03-11", "2024-03-17"), [T(2024, 3, 11), T(2024, 3, 18)]);
    assert.deepEqual(timerange.dates_to_range("2024-03-17", "2024-03-11"), [T(2024, 3, 11), T(2024, 3, 18)]);
    // Across the DST change the end is still local midnight.
    assert.deepEqual(timerange.dates_to_range("2024-03-30", "2024-03-31"), [T(2024, 3, 30), T(2024, 4, 1)]);
    assert.equal(timerange.dates_to_range("0202-03-11", "2024-03-17"), null);
    assert.equal(timerange.dates_to_range("2024-03-11", ""), null);
});

test("TL-29 menu entries per situation", () => {
    const ids = (m) => m.sections.map((s) => [s[0], s[1].map((e) => e[0])]);
    const connected = menu.menu_entries({ kind: "connected", username: "alice", usable: true, logged_in: true });
    assert.equal(connected.intro, "Signed in as <b>alice</b>");
    assert.deepEqual(ids(connected), [
        ["Pages and help", ["home", "guide", "tips", "shortcuts", "changes"]],
        ["Manage", ["search", "targets", "import", "export"]],
        ["User", ["settings", "account", "logout"]],
    ]);
    const out = menu.menu_entries({ kind: "connected", username: "", usable: false, logged_in: false });
    assert.equal(out.intro, "Not signed in");
    assert.deepEqual(ids(out), [["Pages and help", ["home", "guide", "tips", "shortcuts", "changes"]], ["User", ["account", "login"]]]);
    const demo = menu.menu_entries({ kind: "demo", usable: true, logged_in: false, can_install: true });
    assert.match(demo.intro, /demo/);
    assert.deepEqual(ids(demo), [
        ["Pages and help", ["home", "guide", "tips", "shortcuts", "changes"]],
        ["Manage", ["search", "targets", "import", "export"]],
        ["User", ["settings", "login"]],
    ]);
    assert.equal(demo.install, true);
    const evil = menu.menu_entries({ kind: "connected", username: "<x>", usable: true, logged_in: true });
    assert.equal(evil.intro, "Signed in as <b>&lt;x&gt;</b>");
    // SY-23: what is new in this version, or (with a red dot) that a new one is ready.
    const pages = (m) => m.sections[0][1];
    const now = menu.menu_entries({ kind: "demo", usable: true, version: "26.11.0" });
    assert.deepEqual(pages(now)[4], ["changes", "What's new in version 26.11.0", "gift"]);
    const newer = menu.menu_entries({ kind: "demo", usable: true, version: "26.11.0", new_version: "27.1.0" });
    assert.deepEqual(pages(newer)[4], ["update", "New version available: 26.11.0 \u2192 27.1.0", "gift"]);
    const unknown = menu.menu_entries({ kind: "demo", usable: true, version: "26.11.0", new_version: "new" });
    assert.deepEqual(pages(unknown)[4], ["update", "New version available", "gift"]);
});

test("TL-24 sync dialog texts", () => {
    const [title, html] = notification.sync_status_text("error", "Could not reach the server <502>");
    assert.equal(title, "Sync error");
    assert.match(html, /Could not reach the server &lt;502&gt;/);
    assert.equal(notification.sync_status_text("warning", "")[0], "Sync error");
    assert.equal(notification.sync_status_text("ok", "")[0], "Sync status");
    assert.equal(notification.sync_status_text("", "")[0], "Sync status");
    // Offline: said first, with the changes waiting to go out.
    const [offTitle, offHtml] = notification.sync_status_text("error", "x", false, 3);
    assert.equal(offTitle, "Offline");
    assert.match(offHtml, /offline/);
    assert.match(offHtml, /3 changes made on this device are waiting to be sent/);
    assert.match(notification.sync_status_text("ok", "", false, 0)[1], /No changes are waiting/);
    assert.match(notification.sync_status_text("ok", "", true, 1)[1], /1 change made on this device is waiting/);
});

test("markup and icons: one escaper, one icon set, tags with their colour", () => {
    assert.equal(markup.escape(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert.equal(markup.escape(null), "");
    assert.equal(markup.escape(undefined), "");
    assert.equal(markup.escape(12), "12");
    assert.match(icons.icon("play"), /^<svg class="tt-icon" /);
    assert.match(icons.icon("menu", "big"), /^<svg class="tt-icon big" /);
    assert.match(icons.icon("play"), /fill="currentColor" stroke="none"/);
    assert.equal(icons.icon("no-such-icon"), "");
    assert.match(markup.tag_html("#code"), /<b class="tt-hash" style="color:#DEAA22">#<\/b>code/);
    assert.match(markup.description_html("fix <b> #code"), /fix &lt;b&gt; <span class="tt-tag">/);
    assert.equal(basedialog.is_open(), false);
});
