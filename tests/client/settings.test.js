// The settings API (ST-00 .. ST-20) and tag info (TG-15): defaults, device vs synced
// storage, the reading order, change callbacks, settings arriving from the server,
// and the legacy fallbacks of tag info.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const stores = load("stores");
const settings = load("settings");
const taginfo = load("taginfo");

function freshStore() {
    const store = new stores.SandboxDataStore(); // calls settings.use_store(store)
    store.close();
    return store;
}

test("defaults of every ST key (quirk 4 fixed: report_grouping is none)", () => {
    localStorage.clear();
    freshStore();
    const expected = {
        first_day_of_week: 1,
        workdays: 0,
        date_repr: "dd-mm-yyyy",
        time_repr: "auto",
        duration_repr: "hms",
        today_snap_offset: "",
        today_end_offset: "",
        show_stopwatch: true,
        darkmode: 1,
        width_mode: "auto",
        notifications: false,
        pomodoro_enabled: false,
        report_grouping: "none",
        report_groupperiod: "none",
        report_hidesecondary: false,
        report_format: "hm",
        report_showrecords: true,
        tag_presets: [],
        currency: "",
    };
    for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(settings.get(key), value, key);
    }
    assert.equal(settings.get("some unknown key"), null);
    assert.equal(settings.is_local("darkmode"), true);
    assert.equal(settings.is_local("first_day_of_week"), false);
});

test("device settings go to localStorage, synced ones to the store", () => {
    const store = freshStore();
    settings.set("darkmode", 2);
    assert.equal(settings.get("darkmode"), 2);
    assert.equal(JSON.parse(localStorage.getItem("timetagger_local_settings")).darkmode, 2);
    assert.equal(store.settings.get_by_key("darkmode"), null);

    settings.set("first_day_of_week", 0);
    assert.equal(settings.get("first_day_of_week"), 0);
    const item = store.settings.get_by_key("first_day_of_week");
    assert.equal(item.value, 0);
    assert.equal(item.st, 0);
    assert.equal(store.settings.queue_size(), 1); // queued for push
    assert.equal(JSON.parse(localStorage.getItem("timetagger_local_settings")).first_day_of_week, undefined);
});

test("values are copies: changing them changes nothing", () => {
    freshStore();
    settings.set("tag_presets", ["#a", "#b"]);
    const presets = settings.get("tag_presets");
    presets.push("#c");
    assert.deepEqual(settings.get("tag_presets"), ["#a", "#b"]);
    const dflt = settings.get("tag_presets");
    assert.ok(Array.isArray(dflt));
});

test("reading order: default, then the other storage, then the proper one", () => {
    localStorage.clear();
    const store = freshStore();
    localStorage.setItem(
        "timetagger_local_settings",
        JSON.stringify({ duration_repr: "colon", date_repr: "mm/dd/yyyy", darkmode: 0 }),
    );
    store.settings._put_received([
        { key: "date_repr", value: "yyyy-mm-dd", mt: 1, st: 1 },
        { key: "width_mode", value: "1500", mt: 1, st: 1 },
        { key: "darkmode", value: 2, mt: 1, st: 1 },
    ]);
    settings.reload();
    // synced key only on the device: found there (migration aid)
    assert.equal(settings.get("duration_repr"), "colon");
    // synced key in both: the store wins
    assert.equal(settings.get("date_repr"), "yyyy-mm-dd");
    // device key only among the synced items: found there
    assert.equal(settings.get("width_mode"), "1500");
    // device key in both: the device wins
    assert.equal(settings.get("darkmode"), 0);
    // writing goes to the proper storage, which then wins
    settings.set("width_mode", "full");
    assert.equal(settings.get("width_mode"), "full");
    assert.equal(JSON.parse(localStorage.getItem("timetagger_local_settings")).width_mode, "full");
});

test("on_change: local sets, synced sets, and settings arriving from the server", () => {
    localStorage.clear();
    const store = freshStore();
    const seen = [];
    const unsubscribe = settings.on_change((key) => seen.push(key));
    settings.set("darkmode", 1);
    settings.set("darkmode", 2);
    settings.set("darkmode", 2); // unchanged: no callback
    settings.set("show_stopwatch", false);
    // another device changed a setting: it arrives through the sync
    store.settings._put_received([{ key: "workdays", value: 2, mt: 5, st: 9 }]);
    store._notify("settings");
    assert.equal(settings.get("workdays"), 2);
    assert.deepEqual(seen, ["darkmode", "darkmode", "show_stopwatch", "workdays"]);
    unsubscribe();
    settings.set("darkmode", 0);
    assert.equal(seen.length, 4);
    assert.throws(() => settings.set("", 1));
});

test("without a store, synced values are kept and handed to the next store", () => {
    settings.use_store(null);
    settings.set("first_day_of_week", 6);
    assert.equal(settings.get("first_day_of_week"), 6);
    const store = freshStore();
    assert.equal(store.settings.get_by_key("first_day_of_week").value, 6);
    assert.equal(settings.get("first_day_of_week"), 6);
});

test("tag info: stored, merged with legacy settings, empty info not written (TG-15)", () => {
    const store = freshStore();
    assert.deepEqual(taginfo.get_tag_info("#code"), { color: "", priority: 1, targets: {}, rate: null });
    assert.equal(taginfo.get_tag_color("#code"), "#DEAA22");
    assert.equal(taginfo.get_tag_priority("#code"), 1);

    // all-empty info is not written when nothing is stored
    taginfo.set_tag_info("#code", { color: "", priority: 1, targets: {} });
    assert.equal(store.settings.get_by_key("taginfo #code"), null);

    taginfo.set_tag_info("#code", { color: "#ff0000", priority: 2, targets: { week: 10, bogus: 3, day: -1 } });
    assert.deepEqual(store.settings.get_by_key("taginfo #code").value, {
        color: "#ff0000",
        priority: 2,
        targets: { week: 10 },
    });
    assert.deepEqual(taginfo.get_tag_info("#code"), { color: "#ff0000", priority: 2, targets: { week: 10 }, rate: null });
    assert.equal(taginfo.get_tag_color("#code"), "#ff0000");
    assert.equal(taginfo.get_tag_priority("#code"), 2);
    // now that one is stored, resetting it to empty is written
    taginfo.set_tag_info("#code", { color: "#DEAA22", priority: 1 });
    assert.deepEqual(store.settings.get_by_key("taginfo #code").value, { color: "", priority: 0, targets: {} });
    assert.equal(taginfo.get_tag_color("#code"), "#DEAA22");

    // combinations use the sorted form
    taginfo.set_tag_info("#code #client1", { targets: { month: 40 } });
    assert.ok(store.settings.get_by_key("taginfo #client1 #code"));
    assert.deepEqual(taginfo.get_tag_info("#CLIENT1  #code").targets, { month: 40 });

    // legacy fallbacks, overridden by taginfo
    store.settings._put_received([
        { key: "color #old", value: "#00ff00", mt: 1, st: 1 },
        { key: "tag_targets", value: { "#old": { period: "day", hours: 3 }, "#a #b": { period: "year", hours: 100 } }, mt: 1, st: 1 },
    ]);
    settings.reload();
    assert.deepEqual(taginfo.get_tag_info("#old"), { color: "#00ff00", priority: 1, targets: { day: 3 }, rate: null });
    assert.equal(taginfo.get_tag_color("#old"), "#00ff00");
    assert.deepEqual(taginfo.get_tag_info("#b #a").targets, { year: 100 });
    taginfo.set_tag_info("#old", { color: "#0000ff", targets: {} });
    assert.deepEqual(taginfo.get_tag_info("#old"), { color: "#0000ff", priority: 1, targets: {}, rate: null });
    assert.equal(taginfo.get_tag_color("#old"), "#0000ff");
    assert.throws(() => taginfo.set_tag_info("", {}));
});
