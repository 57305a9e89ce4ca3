// Tokens in the browser (PG-07, PG-08, PG-11): base64url decoding done right
// (quirk 1), the stored login, the login request, renewal, and #page= targets.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const { load, pageAt, until } = require("./harness.js");
const { FakeApi, makeToken } = require("./fakeapi.js");

const navigations = pageAt("http://localhost:8080/timetagger/login/");

const auth = load("auth");
const jobs = load("jobs");

test("base64url: '-' and '_' decode, padding optional (quirk 1)", () => {
    // bytes chosen so that base64 has both '+' and '/' (base64url: '-' and '_')
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfe, 0x3e, 0x3f]);
    const url = bytes.toString("base64url");
    assert.match(url, /-/);
    assert.match(url, /_/);
    assert.deepEqual([...auth.base64url_to_bytes(url)], [...bytes]);
    assert.deepEqual([...auth.base64url_to_bytes(bytes.toString("base64"))], [...bytes]);
    for (const n of [1, 2, 3, 4, 5]) {
        const b = Buffer.from("abcde".slice(0, n));
        assert.equal(auth.base64url_decode(b.toString("base64url")), b.toString()); // no padding
        assert.equal(auth.base64url_decode(b.toString("base64")), b.toString()); // padded
    }
    assert.throws(() => auth.base64url_to_bytes("abcde"));
});

test("base64url: UTF-8 user names that the original decoded wrongly", () => {
    for (const name of ["zoë", "用户名", "jöhn>>>?", "a~b", "émile ☃ 🐢", "?>?>"]) {
        const text = JSON.stringify({ username: name, expires: 1, seed: "s" });
        const seg = Buffer.from(text, "utf8").toString("base64url");
        assert.equal(auth.base64url_decode(seg), text);
        const token = makeToken(name, "seed", 2000000000);
        const payload = auth.decode_token_payload(token);
        assert.equal(payload.username, name);
        assert.equal(payload.expires, 2000000000);
    }
    // some of these really need the '-' / '_' mapping
    const tricky = Buffer.from(JSON.stringify({ username: "?>?>", expires: 1 })).toString("base64url");
    assert.ok(/[-_]/.test(tricky), tricky);
});

test("base64 encoding of the login body is UTF-8", () => {
    const text = JSON.stringify({ method: "usernamepassword", username: "zoë", password: "pä$$ 🐢" });
    assert.equal(Buffer.from(auth.base64_encode(text), "base64").toString("utf8"), text);
    const long = "x".repeat(10000) + "é";
    assert.equal(Buffer.from(auth.base64_encode(long), "base64").toString("utf8"), long);
});

test("bad tokens are refused", () => {
    assert.equal(auth.decode_token_payload(""), null);
    assert.equal(auth.decode_token_payload("a.b"), null);
    assert.equal(auth.decode_token_payload("a.!!!.c"), null);
    assert.equal(auth.decode_token_payload("a." + Buffer.from("[1,2]").toString("base64url") + ".c"), null);
    assert.equal(auth.decode_token_payload(null), null);
    assert.equal(auth.set_auth_info_from_token("nonsense"), null);
});

test("the stored login (PG-07)", () => {
    auth.clear_auth_info();
    assert.equal(localStorage.getItem("timetagger_auth_info"), "");
    assert.equal(auth.get_auth_info(), null);
    assert.equal(auth.get_username(), "");
    const token = makeToken("zoë", "seed1", 2000000000);
    const info = auth.set_auth_info_from_token(token);
    assert.deepEqual(info, { username: "zoë", expires: 2000000000, seed: "seed1", token });
    assert.deepEqual(JSON.parse(localStorage.getItem("timetagger_auth_info")), info);
    assert.equal(auth.get_username(), "zoë");
    localStorage.setItem("timetagger_auth_info", "{not json");
    assert.equal(auth.get_auth_info(), null);
});

test("login posts base64 JSON to bootstrap_authentication and stores the token (PG-08)", async () => {
    const api = new FakeApi().install();
    auth.clear_auth_info();
    const [ok, message] = await auth.login("usernamepassword", "alice", "alice-password");
    assert.equal(ok, true);
    assert.equal(message, "Logged in as alice.");
    assert.equal(auth.get_username(), "alice");
    const req = api.requests[0];
    assert.equal(req.url, "http://localhost:8080/timetagger/api/v2/bootstrap_authentication");
    assert.equal(req.method, "POST");
    assert.equal(req.headers.authtoken, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(req.body, "base64").toString()), {
        method: "usernamepassword",
        username: "alice",
        password: "alice-password",
    });

    const [ok2, message2] = await auth.login("usernamepassword", "alice", "wrong");
    assert.equal(ok2, false);
    assert.equal(message2, "Wrong user name or password. Check both (capital letters count) and try again.");
    assert.equal(auth.get_username(), "alice"); // a failed attempt changes nothing

    api.offline = true;
    const [ok3, message3] = await auth.login("localhost");
    assert.equal(ok3, false);
    assert.equal(message3, "The server could not be reached. Check your connection and try again.");
    assert.deepEqual(JSON.parse(Buffer.from(api.requests.pop().body, "base64").toString()), { method: "localhost" });
});

test("login failures are said like a person, never as an HTTP status", () => {
    const t = auth.login_failure_text;
    assert.match(t("usernamepassword", 403, "forbidden: Invalid credentials"), /^Wrong user name or password/);
    assert.match(t("usernamepassword", 429, "too many requests: wait"), /^Too many attempts/);
    assert.equal(
        t("localhost", 403, "forbidden: localhost login is switched off (localhost_login)"),
        "Logging in as the local user is not possible here: localhost login is switched off (localhost_login).",
    );
    assert.match(t("usernamepassword", 500, "oops"), /had a problem/);
    for (const status of [0, 400, 403, 429, 500, 503]) {
        assert.doesNotMatch(t("usernamepassword", status, "x: y"), /\b(403|500|Forbidden)\b/);
    }
});

test("renewal stores a fresh token; revoked goes to logout (PG-11)", async () => {
    const api = new FakeApi().install();
    const soon = Math.floor(Date.now() / 1000) + 3600;
    auth.set_auth_info_from_token(api.tokenFor("alice", soon));
    const before = auth.get_auth_info().token;
    const [ok] = await auth.renew_webtoken();
    assert.equal(ok, true);
    assert.notEqual(auth.get_auth_info().token, before);
    assert.ok(auth.get_auth_info().expires > soon + 86400);
    assert.equal(api.requests[0].url, "http://localhost:8080/timetagger/api/v2/webtoken");
    assert.equal(api.requests[0].headers.authtoken, before);

    // offline: nothing changes, no navigation
    api.offline = true;
    const [ok2] = await auth.renew_webtoken();
    assert.equal(ok2, false);
    assert.deepEqual(navigations, []);
    api.offline = false;

    // reset: a new seed, and this device keeps a valid token
    const [ok3] = await auth.renew_webtoken(true);
    assert.equal(ok3, true);
    assert.match(api.requests.pop().url, /webtoken\?reset=1$/);
    assert.equal(auth.get_auth_info().seed, api.user("alice").seed);

    api.revoke("alice");
    const [ok4, text] = await auth.renew_webtoken();
    assert.equal(ok4, false);
    assert.match(text, /revoked/);
    assert.deepEqual(navigations, ["http://localhost:8080/timetagger/logout/"]);
});

test("renewal runs on start and then hourly, as a long-interval job (SY-17)", async () => {
    const api = new FakeApi().install();
    auth.set_auth_info_from_token(api.tokenFor("alice"));
    auth.start_renewal();
    auth.start_renewal(); // only once
    await until(() => api.requests.filter((r) => r.url.endsWith("/webtoken")).length === 1);
    jobs.check(); // not due yet
    await new Promise((resolve) => setImmediate(resolve)); // a started request is recorded by now
    assert.equal(api.requests.length, 1);
    // an hour later (e.g. after the laptop slept): the next check runs it
    const realNow = Date.now;
    Date.now = () => realNow() + 3601 * 1000;
    try {
        jobs.check();
    } finally {
        Date.now = realNow;
    }
    await until(() => api.requests.length === 2);
    jobs.stop();
});

test("#page= targets stay on the site's origin", () => {
    assert.equal(auth.target_from_hash("./app/", ""), "http://localhost:8080/timetagger/app/");
    assert.equal(auth.target_from_hash("./app/", "#page=./account"), "http://localhost:8080/timetagger/account");
    assert.equal(auth.target_from_hash("./app/", "#page=" + encodeURIComponent("./account/")), "http://localhost:8080/timetagger/account/");
    assert.equal(auth.target_from_hash("./", "#page=https://evil.example.com/"), "http://localhost:8080/timetagger/");
    assert.equal(auth.target_from_hash("./", "#page=javascript:alert(1)"), "http://localhost:8080/timetagger/");
    assert.equal(auth.target_from_hash("./", "#page=//evil.example.com/x"), "http://localhost:8080/timetagger/");
    assert.equal(auth.page_url("logout/"), "http://localhost:8080/timetagger/logout/");
});
