// The record store's queries and index (RC-01, SY-21) and its local edit rules:
// spec section 12, TS-07 .. TS-27, run on the compiled stores/recordindex modules.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const stores = load("stores");
const dt = load("dt");

function t(y, m, d, h = 0, mi = 0, s = 0) {
    return new Date(y, m - 1, d, h, mi, s).getTime() / 1000;
}

function newStore() {
    const store = new stores.SandboxDataStore();
    store.close(); // no timers: these tests call everything themselves
    return store;
}

function put(store, t1, t2, ds, key) {
    const r = store.records.create(t1, t2, ds);
    if (key) {
        r.key = key;
    }
    store.records.put(r);
    return r;
}

const ALL = [0, 4e9];

test("TS-07 empty store", () => {
    const store = newStore();
    assert.deepEqual(store.records.get_records(...ALL), []);
    assert.deepEqual(store.records.get_stats(...ALL), {});
    assert.equal(store.records._index.depth(), 0);
});

test("TS-08 .. TS-12 adding, moving and hiding records", () => {
    const store = newStore();
    const rs = store.records;
    const a = put(store, t(2018, 4, 23, 15), t(2018, 4, 23, 16), "#p1");
    const b = put(store, t(2018, 4, 23, 17), t(2018, 4, 23, 17, 30), "#p1");
    assert.equal(rs.get_records(...ALL).length, 2);
    assert.deepEqual(rs.get_stats(...ALL), { "#p1": 5400 });

    // TS-09
    const c = put(store, t(2014, 1, 12, 14), t(2014, 1, 12, 17, 30), "#p2");
    assert.equal(rs.get_records(...ALL).length, 3);
    assert.deepEqual(rs.get_stats(...ALL), { "#p1": 5400, "#p2": 12600 });

    // TS-10
    const y2014 = [t(2014, 1, 1), t(2015, 1, 1)];
    const y2018 = [t(2018, 1, 1), t(2019, 1, 1)];
    assert.equal(rs.get_records(...y2014).length, 1);
    assert.deepEqual(rs.get_stats(...y2014), { "#p2": 12600 });
    assert.equal(rs.get_records(...y2018).length, 2);
    assert.deepEqual(rs.get_stats(...y2018), { "#p1": 5400 });

    // TS-11: same key, moved to 2018
    const moved = { ...c, t1: t(2018, 4, 22, 14), t2: t(2018, 4, 22, 17, 30) };
    rs.put(moved);
    assert.equal(rs.get_records(...ALL).length, 3);
    assert.deepEqual(rs.get_stats(...y2014), {});
    assert.deepEqual(rs.get_stats(...y2018), { "#p1": 5400, "#p2": 12600 });
    assert.equal(rs.count(), 3);

    // TS-12: hide them all
    for (const r of [a, b, moved]) {
        rs.put({ ...r, ds: "HIDDEN" });
    }
    assert.deepEqual(rs.get_records(...ALL), []);
    assert.deepEqual(rs.get_stats(...ALL), {});
    assert.equal(rs._index.depth(), 0);
    assert.equal(rs._index.bin_count(), 0);
    assert.equal(rs.count(), 3);
});

test("TS-13 untagged records", () => {
    const store = newStore();
    const rs = store.records;
    put(store, t(2018, 4, 23, 15), t(2018, 4, 23, 16), "");
    put(store, t(2018, 4, 23, 17), t(2018, 4, 23, 17, 30), "foo");
    assert.deepEqual(rs.get_stats(...ALL), { "#untagged": 5400 });
    put(store, t(2018, 4, 23, 18), t(2018, 4, 23, 18, 30), "#foo");
    assert.deepEqual(rs.get_stats(...ALL), { "#untagged": 5400, "#foo": 1800 });
});

test("TS-14 .. TS-19 multi-day records and window queries", () => {
    const store = newStore();
    const rs = store.records;
    put(store, t(2018, 4, 20), t(2018, 4, 25), "#p3");
    assert.equal(rs.get_records(...ALL).length, 1);
    assert.deepEqual(rs.get_stats(...ALL), { "#p3": 432000 });

    // TS-15
    const p4 = put(store, t(2018, 4, 23), t(2018, 4, 28), "#p4");
    assert.equal(rs.get_records(...ALL).length, 2);
    assert.deepEqual(rs.get_stats(...ALL), { "#p3": 432000, "#p4": 432000 });

    // TS-16
    rs.put({ ...p4, ds: "#p3" });
    assert.deepEqual(rs.get_stats(...ALL), { "#p3": 864000 });
    put(store, t(2018, 4, 24), t(2018, 4, 24, 0, 0, 10), "#p3");
    assert.deepEqual(rs.get_stats(...ALL), { "#p3": 864010 });

    // TS-17
    const w1 = [t(2018, 4, 22), t(2018, 4, 23)];
    assert.equal(rs.get_records(...w1).length, 1);
    assert.deepEqual(rs.get_stats(...w1), { "#p3": 86400 });
    const w2 = [t(2018, 4, 23), t(2018, 4, 24)];
    assert.equal(rs.get_records(...w2).length, 2);
    assert.deepEqual(rs.get_stats(...w2), { "#p3": 172800 });
    const w3 = [t(2018, 4, 23), t(2018, 4, 24, 0, 0, 1)];
    assert.equal(rs.get_records(...w3).length, 3);
    assert.deepEqual(rs.get_stats(...w3), { "#p3": 172803 });
    const year = [t(2018, 1, 1), t(2018, 12, 1)];
    assert.deepEqual(rs.get_stats(...year), { "#p3": 864010 });

    // TS-18: touching boundaries do not overlap
    put(store, t(2018, 5, 2, 8), t(2018, 5, 2, 10), "#p5");
    assert.equal(rs.get_records(...year).length, 4);
    assert.deepEqual(rs.get_stats(...year), { "#p3": 864010, "#p5": 7200 });
    assert.deepEqual(rs.get_stats(t(2018, 5, 1), t(2018, 5, 2)), {});
    assert.equal(rs.get_records(t(2018, 5, 1), t(2018, 5, 2)).length, 0);

    // TS-19
    for (const r of rs.get_all_records()) {
        rs.put({ ...r, ds: "HIDDEN " + r.ds });
    }
    assert.deepEqual(rs.get_stats(...ALL), {});
    assert.equal(rs._index.depth(), 0);
});

test("TS-20 .. TS-22 local puts and the mt rule", () => {
    const store = newStore();
    const rs = store.records;
    const r = rs.create(t(2018, 4, 23, 10), t(2018, 4, 23, 11), "#p11");
    assert.ok(r.mt > 0);
    assert.equal(r.st, 0);
    rs.put(r);
    assert.deepEqual(rs.get_stats(...ALL), { "#p11": 3600 });

    const now = Math.floor(Date.now() / 1000);
    dt.set_now(now);
    try {
        // TS-21: the stored version is newer than the put (mt = now)
        rs._put_received([{ ...r, ds: "#newer", mt: now + 1, st: 0 }]);
        assert.equal(rs.put({ ...r, ds: "#older" }), 0);
        assert.equal(rs.get_by_key(r.key).ds, "#newer");
        // TS-22: equal mt is accepted, older too
        rs.clear();
        rs._put_received([{ ...r, ds: "#same", mt: now, st: 0 }]);
        assert.equal(rs.put({ ...r, ds: "#equal" }), 1);
        assert.equal(rs.get_by_key(r.key).ds, "#equal");
        rs.clear();
        rs._put_received([{ ...r, ds: "#old", mt: now - 10, st: 5 }]);
        assert.equal(rs.put({ ...r, ds: "#later" }), 1);
        assert.equal(rs.get_by_key(r.key).ds, "#later");
    } finally {
        dt.set_now(null);
    }
});

test("TS-23 received items and the conflict rule", () => {
    const store = newStore();
    const rs = store.records;
    const base = { key: "abcdefgh", t1: t(2018, 4, 23, 10), t2: t(2018, 4, 23, 11), ds: "#a", mt: 100, st: 0 };
    rs._put_received([base]);
    // older mt, one side st == 0: ignored
    assert.equal(rs._put_received([{ ...base, ds: "#older", mt: 99, st: 10 }]).length, 0);
    assert.equal(rs.get_by_key(base.key).ds, "#a");
    // equal mt: accepted
    assert.equal(rs._put_received([{ ...base, ds: "#equal", mt: 100, st: 10 }]).length, 1);
    assert.equal(rs.get_by_key(base.key).ds, "#equal");
    // now both have st > 0: only a larger st wins, whatever the mt
    assert.equal(rs._put_received([{ ...base, ds: "#lower-st", mt: 500, st: 9 }]).length, 0);
    assert.equal(rs._put_received([{ ...base, ds: "#higher-st", mt: 1, st: 11 }]).length, 1);
    assert.equal(rs.get_by_key(base.key).ds, "#higher-st");
    // newer mt against a local edit (st == 0): accepted
    rs.put({ ...base, ds: "#local" });
    const mt = rs.get_by_key(base.key).mt;
    assert.equal(rs._put_received([{ ...base, ds: "#newer", mt: mt + 1, st: 20 }]).length, 1);
    assert.equal(rs.get_by_key(base.key).ds, "#newer");

    // the rule itself
    assert.equal(stores.is_newer({ mt: 1, st: 0 }, null), true);
    assert.equal(stores.is_newer({ mt: 1, st: 2 }, { mt: 5, st: 1 }), true);
    assert.equal(stores.is_newer({ mt: 9, st: 1 }, { mt: 5, st: 2 }), false);
    assert.equal(stores.is_newer({ mt: 5, st: 0 }, { mt: 5, st: 2 }), true);
    assert.equal(stores.is_newer({ mt: 4, st: 3 }, { mt: 5, st: 0 }), false);
});

test("TS-24 dropping a key removes the record from the stats", () => {
    const store = newStore();
    const rs = store.records;
    const r = put(store, t(2018, 4, 23, 10), t(2018, 4, 23, 11), "#p1");
    rs._take_queue();
    assert.equal(rs._drop(r.key), true);
    assert.deepEqual(rs.get_stats(...ALL), {});
    assert.equal(rs.get_by_key(r.key), null);
});

test("TS-25 invalid records are dropped", () => {
    const store = newStore();
    const rs = store.records;
    const good = { key: "goodgood", t1: 1000, t2: 2000, ds: "#x" };
    const n = rs.put(
        good,
        { t1: 1000, t2: 2000, ds: "#nokey" },
        { key: "not1", t2: 2000, ds: "" },
        { key: "not2", t1: 1000, ds: "" },
        { key: "not3", t1: "1000", t2: 2000, ds: "" },
        { key: "not4", t1: 1000, t2: "x", ds: "" },
        { key: "not5", t1: NaN, t2: 2000, ds: "" },
        null,
    );
    assert.equal(n, 1);
    assert.equal(rs.count(), 1);
    assert.equal(rs.get_records(...ALL)[0].key, "goodgood");
});

test("TS-26 one-second and running records", () => {
    const store = newStore();
    const rs = store.records;
    put(store, t(2018, 4, 23, 10), t(2018, 4, 23, 10, 0, 1), "#one");
    assert.deepEqual(rs.get_stats(...ALL), { "#one": 1 });
    const r = put(store, t(2018, 4, 23, 12), t(2018, 4, 23, 12), "#run");
    assert.equal(rs.get_running_records().length, 1);
    assert.equal(rs.get_running_records()[0].key, r.key);
    assert.equal(rs.get_records(t(2018, 4, 23), t(2018, 4, 24)).length, 2);
    assert.ok(rs.get_records(t(2024, 1, 1), t(2024, 1, 2)).some((x) => x.key === r.key));
    assert.ok(rs.get_stats(t(2018, 1, 1), 4e9)["#run"] > 17756100);
    // a pinned clock: counts exactly up to now
    dt.set_now(t(2018, 4, 23, 13));
    try {
        assert.equal(rs.get_stats(...ALL)["#run"], 3600);
        assert.equal(rs.get_stats(t(2018, 4, 23, 12, 30), t(2018, 4, 23, 12, 40))["#run"], 600);
        // started after the window: not in it
        assert.equal(rs.get_records(t(2018, 4, 23, 11), t(2018, 4, 23, 12)).length, 0);
    } finally {
        dt.set_now(null);
    }
    rs.put({ ...r, t2: r.t1 + 10 });
    assert.equal(rs.get_running_records().length, 0);
    assert.equal(rs.get_stats(...ALL)["#run"], 10);
});

test("TS-27 deleting (HIDDEN) and reviving", () => {
    const store = newStore();
    const rs = store.records;
    const r = put(store, t(2018, 4, 23, 10), t(2018, 4, 23, 11), "#p1");
    rs.mark_as_deleted(r);
    assert.equal(r.ds, "HIDDEN #p1");
    rs.mark_as_deleted(r);
    assert.equal(r.ds, "HIDDEN #p1");
    rs.put(r);
    assert.equal(rs.count(), 1);
    assert.equal(rs.get_records(...ALL).length, 0);
    assert.deepEqual(rs.get_stats(...ALL), {});
    // the same hidden item coming back from the server stays hidden
    rs._put_received([{ ...rs.get_by_key(r.key), st: 99 }]);
    assert.equal(rs.get_records(...ALL).length, 0);
    // revive
    rs.put({ ...r, ds: "#p1" });
    assert.equal(rs.get_records(...ALL).length, 1);
    // a second #p1 record, hide the first again
    put(store, t(2018, 4, 23, 12), t(2018, 4, 23, 13), "#p1");
    const first = rs.get_by_key(r.key);
    rs.put(rs.mark_as_deleted(first));
    assert.equal(rs.count(), 2);
    assert.equal(rs.get_records(...ALL).length, 1);
    assert.equal(Object.keys(rs.get_stats(...ALL)).length, 1);
    rs.put(rs.get_by_key(r.key));
    assert.equal(rs.count(), 2);
    assert.equal(rs.get_records(...ALL).length, 1);
    assert.deepEqual(rs.get_stats(...ALL), { "#p1": 3600 });
    // a deleted running record is no longer running
    const run = put(store, t(2018, 4, 24, 9), t(2018, 4, 24, 9), "#run");
    rs.put(rs.mark_as_deleted(rs.get_by_key(run.key)));
    assert.equal(rs.get_running_records().length, 0);
    assert.equal(rs.get_by_key(run.key).t2, run.t1 + 1);
    assert.equal(rs.get_all_records(true).length, 3);
    assert.equal(rs.get_all_records().length, 1);
});

test("puts normalise: t1 <= t2, whole seconds, description cut to 255", () => {
    const store = newStore();
    const rs = store.records;
    const r = { key: "normnorm", t1: 2000.7, t2: 1000.2, ds: "\"  x".padEnd(400, "y") };
    rs.put(r);
    const got = rs.get_by_key("normnorm");
    assert.equal(got.t1, 1000);
    assert.equal(got.t2, 2000);
    assert.equal(r.t1, 1000); // written back to the caller's record
    assert.equal(got.ds.length, 255);
    assert.ok(got.ds.startsWith("x"));
    assert.equal(rs.create(1, 2).key.length, 8);
    assert.match(rs.create(1, 2).key, /^[a-zA-Z]{8}$/);
});

test("the index agrees with a brute-force count on random data", () => {
    const store = newStore();
    const rs = store.records;
    const tagsets = ["#a", "#b", "#a #b", "", "#c"];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const base = t(2015, 1, 1);
    for (let i = 0; i < 3000; i++) {
        const t1 = Math.floor(base + rand() * 3 * 365 * 86400);
        const len = rand() < 0.05 ? Math.floor(rand() * 20 * 86400) : Math.floor(rand() * 5 * 3600);
        put(store, t1, t1 + len + 1, tagsets[Math.floor(rand() * tagsets.length)]);
    }
    // some edits and deletions
    const all = rs.get_all_records();
    for (let i = 0; i < 300; i++) {
        const r = all[Math.floor(rand() * all.length)];
        if (i % 3 === 0) {
            rs.put(rs.mark_as_deleted({ ...r }));
        } else {
            rs.put({ ...r, t2: r.t2 + 3600, ds: tagsets[i % tagsets.length] });
        }
    }
    const visible = rs.get_all_records();
    const tagzOf = (ds) => (ds.match(/#\w+/g) || ["#untagged"]).sort().join(" ");
    for (let q = 0; q < 200; q++) {
        const a = base - 86400 + rand() * 3.2 * 365 * 86400;
        const b = a + (q % 4 === 0 ? rand() * 400 * 86400 : rand() * 3 * 86400);
        const expected = {};
        let count = 0;
        for (const r of visible) {
            if (r.t1 < b && r.t2 > a) {
                count++;
                const d = Math.min(r.t2, b) - Math.max(r.t1, a);
                const k = tagzOf(r.ds);
                expected[k] = (expected[k] || 0) + d;
            }
        }
        const got = rs.get_stats(a, b);
        assert.equal(rs.get_records(a, b).length, count);
        assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
        for (const k of Object.keys(expected)) {
            assert.ok(Math.abs(got[k] - expected[k]) < 1e-6, `${k}: ${got[k]} != ${expected[k]}`);
        }
    }
});
