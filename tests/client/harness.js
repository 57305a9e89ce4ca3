// Loads compiled client modules into node for testing, the way a page loads them:
// each module defines a global of its name. `load("store")` loads its dependencies
// first. TT_COMPILED_DIR (set by tests/test_client.py) holds <name>.js and
// modules.json ({name: {requires: [...]}}). Browser globals that pure logic touches
// (window, localStorage, location) get small stand-ins.
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
if (!globalThis.localStorage) {
    const data = new Map();
    globalThis.localStorage = {
        getItem: (k) => (data.has(k) ? data.get(k) : null),
        setItem: (k, v) => data.set(k, String(v)),
        removeItem: (k) => data.delete(k),
        clear: () => data.clear(),
    };
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

module.exports = { load };
