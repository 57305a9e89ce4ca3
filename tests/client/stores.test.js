// The data stores and their sync (SY-02 .. SY-17, DM-02, DM-03) against an in-memory
// API that follows spec/api.md (fakeapi.js): queue collapse, pull with since, the
// conflict rule across two devices, push failures, refused items, full reset, the
// cache and the re-queue on load, the keepalive push, auth failures, server notices.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const { load, makeStorage, pageAt, until } = require("./harness.js");
const { FakeApi, makeToken } = require("./fakeapi.js");

const navigations = pageAt("http://localhost:8080/timetagger/app/");

const stores = load("stores");
const auth = load("auth");
const idb = load("idb");
const dt = load("dt");

// Each "device" has its own localStorage (makeStorage); switch before acting as it.
class Device {
    constructor(api, username) {
        this.api = api;
        this.storage = makeStorage();
        this.cache = new idb.MemoryCache();
        this.use();
        if (username) {
            auth.set_auth_info_from_token(api.tokenFor(username));
        }
    }
    use() {
        globalThis.localStorage = this.storage;
        return this;
    }
    open(cache) {
        this.use();
        const store = new stores.ConnectedDataStore(cache || this.cache);
        quiet(store);
        this.store = store;
        return store;
    }
    async sync() {
        this.use();
        await this.store.sync();
    }
}

const opened = [];

// No timers: the tests run the sync cycles themselves.
function quiet(store) {
    opened.push(store);
    window.clearTimeout(store._timer);
    store._timer = null;
    store.sync_soon = () => {};
    return store;
}

test.afterEach(() => {
    for (const store of opened.splice(0)) {
        store.close();
    }
    navigations.splice(0);
});

function record(store, ds, t1 = 1500000000, t2 = 1500003600) {
    const r = store.records.create(t1, t2, ds);
    store.records.put(r);
    return r;
}

function pushedItems(api, kind) {
    return api.pushes(kind).map((r) => JSON.parse(r.body));
}

test("repeated edits of a record collapse into one push (SY-03)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const r = record(store, "#a");
    store.records.put({ ...r, ds: "#b" });
    store.records.put({ ...r, ds: "#c" });
    assert.equal(store.records.queue_size(), 1);
    assert.equal(store.state, "pending");
    assert.equal(store.records.is_synced(r.key), false);
    await dev.sync();
    const pushes = pushedItems(api, "records");
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0].length, 1);
    assert.equal(pushes[0][0].ds, "#c");
    assert.equal(pushes[0][0].st, 0);
    assert.equal(api.requests.filter((x) => x.method === "PUT")[0].headers.authtoken, auth.get_auth_info().token);
    assert.equal(api.user("alice").records.get(r.key).ds, "#c");
    // the pushed item came back with a server time: synced
    assert.ok(store.records.get_by_key(r.key).st > 0);
    assert.equal(store.records.is_synced(r.key), true);
    assert.equal(store.state, "ok");
    assert.equal(store.put_count, 3);
});

test("the pull asks for what changed since the last server time (SY-07)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    await dev.sync();
    const first = store._server_time;
    assert.ok(first > 1700000000);
    await dev.sync();
    const pulls = api.pulls();
    assert.equal(pulls.length, 2);
    assert.match(pulls[0].url, /\/timetagger\/api\/v2\/updates\?since=0$/);
    assert.equal(Number(new URL(pulls[1].url).searchParams.get("since")), first);
    assert.ok(store._server_time > first);
    assert.deepEqual(store.pull_statuses, [200, 200]);
    // nothing pushed when nothing changed
    assert.equal(api.requests.filter((x) => x.method === "PUT").length, 0);
});

test("two devices converge; the later edit wins on both (SY-09, SY-10)", async () => {
    const api = new FakeApi().install();
    const d1 = new Device(api, "alice");
    const s1 = d1.open();
    const d2 = new Device(api, "alice");
    const s2 = d2.open();

    const T = Math.floor(Date.now() / 1000) - 100;
    d1.use();
    dt.set_now(T - 10);
    const r = record(s1, "#first");
    dt.set_now(null);
    await d1.sync();
    await d2.sync();
    assert.equal(s2.records.get_by_key(r.key).ds, "#first");

    // Both edit offline-ish: device 1 at T, device 2 later at T + 5.
    try {
        dt.set_now(T);
        d1.use();
        s1.records.put({ ...s1.records.get_by_key(r.key), ds: "#from-1" });
        dt.set_now(T + 5);
        d2.use();
        s2.records.put({ ...s2.records.get_by_key(r.key), ds: "#from-2" });
    } finally {
        dt.set_now(null);
    }
    await d2.sync(); // server: #from-2 (mt T+5)
    await d1.sync(); // pushes #from-1 (mt T): server keeps #from-2, re-stamps it
    assert.equal(api.user("alice").records.get(r.key).ds, "#from-2");
    assert.equal(s1.records.get_by_key(r.key).ds, "#from-2");
    await d2.sync();
    assert.equal(s2.records.get_by_key(r.key).ds, "#from-2");
    assert.equal(s1.records.is_synced(r.key), true);

    // A received older version never replaces an unpushed local edit.
    d1.use();
    s1.records.put({ ...s1.records.get_by_key(r.key), ds: "#local" });
    const older = { ...api.user("alice").records.get(r.key), ds: "#stale", mt: 5, st: api.now() };
    api.user("alice").records.set(r.key, older);
    await s1._pull(auth.get_auth_info().token);
    assert.equal(s1.records.get_by_key(r.key).ds, "#local");
    assert.equal(s1.records.is_synced(r.key), false);
});

test("a failed push keeps the items queued, without overwriting newer edits (SY-05)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const r = record(store, "#one");
    const other = record(store, "#other");
    api.offline = true;
    const fetch = globalThis.fetch;
    globalThis.fetch = (url, init) => {
        // While the push is on its way, the user edits the record again.
        if (init.method === "PUT") {
            store.records.put({ ...store.records.get_by_key(r.key), ds: "#two" });
        }
        return fetch(url, init);
    };
    await dev.sync();
    globalThis.fetch = fetch;
    assert.equal(store.state, "error");
    assert.match(store.last_error, /^0 \(network error\)/);
    assert.equal(store.records.queue_size(), 2);
    api.offline = false;
    await dev.sync();
    const pushes = pushedItems(api, "records");
    const last = pushes[pushes.length - 1];
    assert.deepEqual(last.map((x) => x.ds).sort(), ["#other", "#two"]);
    assert.equal(api.user("alice").records.get(r.key).ds, "#two");
    assert.equal(api.user("alice").records.get(other.key).ds, "#other");
    assert.equal(store.records.queue_size(), 0);

    // An HTTP error is reported with its status and text.
    api.failWith = { status: 500, statusText: "Internal Server Error", text: "internal server error: boom" };
    record(store, "#three");
    await dev.sync();
    assert.equal(store.last_error, "500 (Internal Server Error)\ninternal server error: boom");
    assert.equal(store.records.queue_size(), 1);
});

test("items the server refuses are dropped locally and reported (SY-05)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const good = record(store, "#good");
    const bad = store.records.create(1500000000, 1500000100, "#bad");
    bad.mt = 1;
    store.records.put(bad);
    api.forceReset("alice"); // the server refuses edits from before its reset time...
    api.user("alice").resetTime = Math.floor(Date.now() / 1000) + 3600; // ...all of them
    await dev.sync();
    assert.equal(store.records.get_by_key(bad.key), null);
    assert.equal(store.records.get_by_key(good.key), null);
    assert.equal(store.records.count(), 0);
    assert.match(store.last_error, /^server dropped a record: /);
    // the state was "warning" after the push; the pull with reset followed
    assert.equal(dev.cache.users.alice.records[good.key], undefined);
});

test("state warning when the server drops one item", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const original = api.fetch.bind(api);
    api.fetch = async (url, init) => {
        if (init.method === "PUT" && String(url).endsWith("/records")) {
            const items = JSON.parse(init.body);
            return api.response(200, { accepted: [], failed: [items[0].key], errors: ["nope"] });
        }
        return original(url, init);
    };
    api.install();
    const r = record(store, "#x");
    await dev.sync();
    assert.equal(store.records.get_by_key(r.key), null);
    assert.equal(store.state, "warning");
    assert.equal(store.last_error, "server dropped a record: nope");
});

test("a forced reset drops the local data and takes the server's full set (SY-11)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const kept = record(store, "#kept");
    await dev.sync();
    // something only this client has (e.g. from before the reset)
    store.records._put_received([{ key: "onlyhere", t1: 10, t2: 20, ds: "#ghost", mt: 1, st: 1 }]);
    await dev.cache.save("alice", [{ key: "onlyhere", t1: 10, t2: 20, ds: "#ghost", mt: 1, st: 1 }], []);
    api.forceReset("alice");
    await dev.sync();
    assert.equal(store.records.get_by_key("onlyhere"), null);
    assert.equal(store.records.get_by_key(kept.key).ds, "#kept");
    assert.deepEqual(Object.keys(dev.cache.users.alice.records), [kept.key]);
    const pull = api.pulls().pop();
    assert.ok(Number(new URL(pull.url).searchParams.get("since")) > 0);
});

test("unsynced edits survive a restart and are pushed on load (SY-12)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    let store = dev.open();
    await dev.sync();
    api.offline = true;
    const a = record(store, "#offline1");
    const b = record(store, "#offline2");
    store.records.put({ ...store.records.get_by_key(a.key), ds: "#offline1 #changed" });
    store.settings.put(store.settings.create("first_day_of_week", 0));
    await dev.sync();
    assert.equal(store.state, "error");
    store.close(); // the page closes

    // Next start: the cache holds them with st == 0, they are queued again.
    api.offline = false;
    store = dev.open();
    await store._loading;
    assert.equal(store.records.queue_size(), 2);
    assert.equal(store.settings.queue_size(), 1);
    assert.equal(store.state, "pending");
    await dev.sync();
    assert.equal(api.user("alice").records.get(a.key).ds, "#offline1 #changed");
    assert.equal(api.user("alice").records.get(b.key).ds, "#offline2");
    assert.equal(api.user("alice").settings.get("first_day_of_week").value, 0);
    assert.equal(dev.storage.getItem("timetagger_unsynced:alice"), null);
    assert.equal(store.records.is_synced(a.key), true);
});

test("the synchronous localStorage copy rescues edits IndexedDB did not get", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    api.offline = true;
    let store = dev.open(new idb.NullCache()); // nothing reaches IndexedDB
    const r = record(store, "#saved-by-localstorage");
    // written synchronously, at once
    const copy = JSON.parse(dev.storage.getItem("timetagger_unsynced:alice"));
    assert.equal(copy.records.length, 1);
    assert.equal(copy.records[0].key, r.key);
    store.close();
    api.offline = false;
    store = dev.open(new idb.NullCache());
    await store._loading;
    assert.equal(store.records.get_by_key(r.key).ds, "#saved-by-localstorage");
    await dev.sync();
    assert.equal(api.user("alice").records.get(r.key).ds, "#saved-by-localstorage");
    assert.equal(dev.storage.getItem("timetagger_unsynced:alice"), null);
});

test("on hide, a keepalive push carries the unsynced edits (beyond the original)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    await dev.sync();
    const r = record(store, "#last-second");
    store.settings.put(store.settings.create("date_repr", "yyyy-mm-dd"));
    store._on_hide();
    await until(() => api.requests.filter((x) => x.keepalive).length === 2);
    const sent = api.requests.filter((x) => x.keepalive);
    assert.deepEqual(sent.map((x) => x.url.split("/").pop()).sort(), ["records", "settings"]);
    assert.ok(sent.every((x) => x.method === "PUT" && x.headers.authtoken));
    assert.equal(api.user("alice").records.get(r.key).ds, "#last-second");
    // still queued and persisted until the server's version comes back
    assert.equal(store.records.is_synced(r.key), false);
    assert.ok(dev.storage.getItem("timetagger_unsynced:alice"));
    await dev.sync();
    assert.equal(store.records.is_synced(r.key), true);

    // Bodies stay within the keepalive budget; what does not fit waits for next time.
    for (let i = 0; i < 800; i++) {
        record(store, "#bulk " + "x".repeat(100));
    }
    api.requests.splice(0);
    store._on_hide();
    const bodies = api.requests.filter((x) => x.keepalive).map((x) => x.body);
    const total = bodies.reduce((n, b) => n + b.length, 0);
    assert.ok(total <= stores.KEEPALIVE_BUDGET, `${total} bytes`);
    assert.ok(JSON.parse(bodies[0]).length > 100);
});

test("a revoked token leads to the logout page (SY-15, PG-11)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    record(store, "#x");
    api.revoke("alice");
    await dev.sync();
    assert.equal(store.can_use(), false);
    assert.match(store.cannot_use_reason, /revoked/);
    assert.deepEqual(navigations, ["http://localhost:8080/timetagger/logout/"]);
});

test("an expired token makes the store unusable but keeps the data (SY-15)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    auth.set_auth_info_from_token(api.tokenFor("alice", 1000));
    const store = dev.open();
    const r = record(store, "#kept");
    await dev.sync();
    assert.equal(store.state, "error");
    assert.equal(store.can_use(), false);
    assert.match(store.cannot_use_reason, /expired/);
    assert.deepEqual(navigations, []);
    assert.equal(store.records.get_by_key(r.key).ds, "#kept");
    assert.equal(store.records.queue_size(), 1);
    // logging in again (same user, new token) makes it usable again
    auth.set_auth_info_from_token(api.tokenFor("alice"));
    store._auth_checked_at = 0;
    assert.equal(store.can_use(), true);
    await dev.sync();
    assert.equal(api.user("alice").records.get(r.key).ds, "#kept");
});

test("logged out, or another user logged in since: not usable (PG-12, quirk 10)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, null);
    const store = dev.open();
    assert.equal(store.can_use(), false);
    assert.equal(store.cannot_use_reason, "You are logged out.");
    await dev.sync();
    assert.equal(store.state, "error");
    assert.equal(store.last_error, "You are logged out.");
    assert.equal(api.requests.length, 0);

    auth.set_auth_info_from_token(api.tokenFor("alice"));
    const s2 = dev.open();
    assert.equal(s2.can_use(), true);
    auth.set_auth_info_from_token(api.tokenFor("bob"));
    s2._auth_checked_at = 0;
    assert.equal(s2.can_use(), false);
    assert.match(s2.cannot_use_reason, /bob/);
});

test("a 402 notice is shown once; readonly makes the store read-only (SY-06)", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const store = dev.open();
    const seen = [];
    store.on_change((what) => seen.push(what));
    api.failWith = { status: 402, statusText: "Payment Required", text: "readonly|Your account is read-only." };
    record(store, "#x");
    await dev.sync();
    record(store, "#y");
    await dev.sync();
    assert.equal(store.is_read_only, true);
    assert.deepEqual(store.notices, [{ kind: "readonly", message: "Your account is read-only." }]);
    assert.equal(seen.filter((w) => w === "notice").length, 1);
    assert.equal(store.last_error, "402 (readonly)\nYour account is read-only.");
    assert.equal(store.records.queue_size(), 2);
});

test("sync scheduling and the progress ring (SY-04, SY-14)", async () => {
    const api = new FakeApi().install();
    new Device(api, "alice");
    const store = new stores.ConnectedDataStore(new idb.MemoryCache());
    opened.push(store);
    assert.ok(store._timer !== null);
    assert.ok(Math.abs(store._due - store._scheduled_at - 1.0) < 1e-6); // first sync after 1 s
    const r = store.records.create(1, 2, "#x");
    store.records.put(r);
    assert.ok(Math.abs(store._due - store._scheduled_at - 1.5) < 1e-6); // 1.5 s after a change
    const p = store.sync_progress();
    assert.ok(p >= 0 && p <= 1);
    store.sync_soon(0.2);
    assert.ok(Math.abs(store._due - store._scheduled_at - 0.2) < 1e-6);
    await store.sync();
    assert.ok(Math.abs(store._due - store._scheduled_at - 10) < 1e-6); // then polling
    assert.equal(store.state, "ok");
    await until(() => store.state === ""); // back to idle (0.75 s after "ok")
    const states = [];
    store.on_change((what) => what === "state" && states.push(store.state));
    await store.sync();
    assert.equal(states[0], "sync");
});

test("settings sync like records; a setting from another device applies", async () => {
    const api = new FakeApi().install();
    const d1 = new Device(api, "alice");
    const s1 = d1.open();
    const d2 = new Device(api, "alice");
    const s2 = d2.open();
    d1.use();
    s1.settings.put(s1.settings.create("tag_presets", ["#a #b", "#c"]));
    s1.settings.put(s1.settings.create("tag_presets", ["#a #b"]));
    await d1.sync();
    assert.equal(pushedItems(api, "settings").length, 1);
    await d2.sync();
    assert.deepEqual(s2.settings.get_by_key("tag_presets").value, ["#a #b"]);
});

test("the demo store: generated years, emulated sync (TS-06, DM-02, DM-03)", async () => {
    const api = new FakeApi().install();
    const store = new stores.DemoDataStore();
    quiet(store);
    const n = store.records.count();
    if (new Date().getMonth() > 0) {
        assert.ok(n > 25, `${n} records`);
    }
    assert.ok(n < 2000, `${n} records`);
    assert.ok(store.records.get_all_records().every((r) => r.st > 0));
    assert.equal(store.settings.get_by_key("taginfo #client1").value.color, "#607FE0");
    await store.sync(); // the first emulated sync adds the earlier years
    const all = store.records.count();
    assert.ok(all > 2000, `${all} records`);
    const years = new Set(store.records.get_all_records().map((r) => new Date(r.t1 * 1000).getFullYear()));
    assert.equal(years.size, 5);
    assert.ok(Object.keys(store.records.get_stats(0, 4e9)).length > 1);
    // no weekend records except today
    const today = new Date().toDateString();
    for (const r of store.records.get_all_records()) {
        const d = new Date(r.t1 * 1000);
        if (d.toDateString() !== today) {
            assert.ok(d.getDay() !== 0 && d.getDay() !== 6);
        }
        assert.ok(r.t2 <= Date.now() / 1000);
    }
    // edits are stamped by the emulated sync; nothing goes to a server
    const r = store.records.create(1, 100, "#demo");
    store.records.put(r);
    assert.equal(store.records.get_by_key(r.key).st, 0);
    await store.sync();
    assert.ok(store.records.get_by_key(r.key).st > 0);
    assert.equal(store.state, "ok");
    assert.equal(api.requests.length, 0);
    assert.equal(store.username, "");
    assert.equal(store.can_use(), true);
});

test("the sandbox store starts empty and never talks to a server (DM-05)", async () => {
    const api = new FakeApi().install();
    const store = quiet(new stores.SandboxDataStore());
    assert.equal(store.kind, "sandbox");
    assert.equal(store.records.count(), 0);
    record(store, "#try");
    await store.sync();
    assert.equal(store.records.count(), 1);
    assert.equal(api.requests.length, 0);
});

test("two tabs of one user share the localStorage copy without losing each other's edits", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const a = dev.open(new idb.NullCache());
    const b = dev.open(new idb.NullCache());
    await a._loading;
    await b._loading;
    const copy = () => JSON.parse(dev.storage.getItem("timetagger_unsynced:alice") || '{"records": []}');
    const keys = () => copy().records.map((r) => r.key).sort();
    const x = record(a, "#tab-a");
    const y = record(b, "#tab-b");
    assert.deepEqual(keys(), [x.key, y.key].sort());
    await a.sync(); // pushes x; gets it back confirmed
    const z = record(a, "#tab-a-again");
    assert.deepEqual(keys(), [y.key, z.key].sort()); // x confirmed: gone; y still needed
    await b.sync(); // pushes y, learns x
    assert.deepEqual(keys(), [z.key]);
    await a.sync();
    assert.equal(dev.storage.getItem("timetagger_unsynced:alice"), null);
    assert.equal(api.user("alice").records.size, 3);
});

test("a cache that never answers does not stop the store", async () => {
    const api = new FakeApi().install();
    const dev = new Device(api, "alice");
    const stuck = { load: () => new Promise(() => {}), save: async () => {}, remove: async () => {}, clear_user: async () => {} };
    const saved = stores.CACHE_LOAD_TIMEOUT;
    const store = dev.open(stuck);
    const r = record(store, "#still-works");
    await dev.sync();
    assert.equal(api.user("alice").records.get(r.key).ds, "#still-works");
    assert.ok(saved > 0);
});
