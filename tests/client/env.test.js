// env: where the app finds its API (PG-06), for same-origin and split deployments.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const env = load("env");

function withConfig(config, fn) {
    const saved = globalThis.timetagger_config;
    globalThis.timetagger_config = config;
    try {
        fn();
    } finally {
        globalThis.timetagger_config = saved;
    }
}

test("same-origin API beside the site root", () => {
    withConfig({ root: "../", api_url: "api/v2/" }, () => {
        const page = "https://example.com/timetagger/app/";
        assert.equal(env.site_root_url(page), "https://example.com/timetagger/");
        assert.equal(env.api_base_url(page), "https://example.com/timetagger/api/v2/");
        assert.equal(env.api_url("updates?since=0", page), "https://example.com/timetagger/api/v2/updates?since=0");
        assert.equal(env.api_url("/webtoken", page), "https://example.com/timetagger/api/v2/webtoken");
        assert.equal(env.is_cross_origin(page), false);
    });
});

test("deeper pages and pages without trailing slash", () => {
    withConfig({ root: "../../", api_url: "api/v2/" }, () => {
        assert.equal(env.api_base_url("http://h/p/app/demo/"), "http://h/p/api/v2/");
    });
    withConfig({ root: "./", api_url: "api/v2/" }, () => {
        assert.equal(env.api_base_url("http://h/"), "http://h/api/v2/");
    });
});

test("API on another origin", () => {
    withConfig({ root: "./", api_url: "https://api.example.com/tt/api/v2" }, () => {
        const page = "https://app.example.com/";
        assert.equal(env.api_base_url(page), "https://api.example.com/tt/api/v2/");
        assert.equal(env.is_cross_origin(page), true);
    });
});

test("defaults without a config", () => {
    withConfig(undefined, () => {
        assert.equal(env.api_base_url("http://h/x/"), "http://h/x/api/v2/");
        assert.equal(env.get_version(), "");
    });
});
