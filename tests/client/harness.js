// Loads compiled client modules into node for testing, the way a page loads them:
// each module defines a global of its name. `load("store")` loads its dependencies
// first. TT_COMPILED_DIR (set by tests/test_client.py) holds <name>.js and
// modules.json ({name: {requires: [...]}}). Browser globals that pure logic touches
// (window, localStorage, location) get small stand-ins.
//
// Also what several test files need:
//   useZone(zone = "Europe/Amsterdam")   the local time zone of the test (node 20 applies
//                                        process.env.TZ at once); checked to have taken
//   local(y, mo, d, h, mi, s)            a local time (dt.make_time)
//   record(key, t1, t2, ds, mt = t1, st = 0)   a stored record
//   makeStorage()                        an empty in-memory localStorage (with keys())
//   pageAt(href)                         location (whose replace() is recorded) and
//                                        timetagger_config of a page; returns the list
//                                        of URLs the page was sent to
//   until(condition, ms = 2000)          await until condition() is true; throws when it
//                                        is still false after ms (tests wait for
//                                        conditions, not for time)
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const dir = process.env.TT_COMPILED_DIR;
if (!dir) {
    throw new Error("TT_COMPILED_DIR is not set: run the client tests through pytest (tests/test_client.py)");
}
const meta = JSON.parse(fs.readFileSync(path.join(dir, "modules.json"), "utf8"));

globalThis.window = globalThis;
if (!globalThis.location) {
    globalThis.location = new URL("http://localhost:8080/timetagger/app/");
}

function makeStorage() {
    const data = new Map();
    return {
        getItem: (k) => (data.has(k) ? data.get(k) : null),
        setItem: (k, v) => data.set(k, String(v)),
        removeItem: (k) => data.delete(k),
        clear: () => data.clear(),
        keys: () => [...data.keys()],
    };
}

if (!globalThis.localStorage) {
    globalThis.localStorage = makeStorage();
}

const loaded = new Set();

function load(name) {
    if (loaded.has(name)) {
        return globalThis[name];
    }
    if (!meta[name]) {
        throw new Error(`no client module named ${name}`);
    }
    for (const dep of meta[name].requires) {
        load(dep);
    }
    const file = path.join(dir, name + ".js");
    vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
    loaded.add(name);
    return globalThis[name];
}

function useZone(zone = "Europe/Amsterdam") {
    process.env.TZ = zone;
    const applied = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (applied !== zone) {
        throw new Error(`TZ ${zone} not applied (the zone is ${applied})`);
    }
}

function local(y, mo, d, h = 0, mi = 0, s = 0) {
    return load("dt").make_time(y, mo, d, h, mi, s);
}

function record(key, t1, t2, ds, mt = t1, st = 0) {
    return { key, t1, t2, ds, mt, st };
}

function pageAt(href) {
    const navigations = [];
    globalThis.location = {
        href,
        hash: "",
        replace(url) {
            navigations.push(url);
        },
    };
    globalThis.timetagger_config = { root: "../", api_url: "api/v2/", version: "test" };
    return navigations;
}

async function until(condition, ms = 2000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error(`condition not met within ${ms} ms: ${condition}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}

module.exports = { load, useZone, local, record, makeStorage, pageAt, until };
