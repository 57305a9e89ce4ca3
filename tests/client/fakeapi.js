// A small in-memory stand-in for the /api/v2 server, following spec/api.md, for the
// store tests in node: PUT records/settings with the server's rules (mt rule, st strictly
// increasing, reset time), GET updates?since=T, tokens with seeds (revoked/expired), and
// switches to fail like a network or an HTTP error. Install with `api.install()`: it
// replaces globalThis.fetch and records every request in `api.requests`.
"use strict";

function b64url(text) {
    return Buffer.from(text, "utf8").toString("base64url");
}

function makeToken(username, seed, expires) {
    const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64url(JSON.stringify({ username, expires, seed }));
    return `${header}.${payload}.c2lnbmF0dXJl`;
}

function payloadOf(token) {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

class FakeApi {
    constructor(base = "http://localhost:8080/timetagger/api/v2/") {
        this.base = base;
        this.users = new Map(); // username -> {records, settings, seed, resetTime}
        this.clock = 1700000000;
        this.requests = [];
        this.offline = false;
        this.failWith = null; // {status, text} answered to every request
        this.keepaliveBodies = [];
    }

    user(name) {
        if (!this.users.has(name)) {
            this.users.set(name, { records: new Map(), settings: new Map(), seed: "seed1", resetTime: 0 });
        }
        return this.users.get(name);
    }

    now() {
        this.clock += 0.5;
        return this.clock;
    }

    tokenFor(name, expires = Math.floor(Date.now() / 1000) + 14 * 86400) {
        return makeToken(name, this.user(name).seed, expires);
    }

    revoke(name) {
        this.user(name).seed = "seed" + Math.random();
    }

    forceReset(name) {
        this.user(name).resetTime = this.now();
    }

    install() {
        globalThis.fetch = (url, init) => this.fetch(url, init || {});
        return this;
    }

    response(status, body, statusText) {
        const text = typeof body === "string" ? body : JSON.stringify(body);
        return { status, statusText: statusText || (status === 200 ? "OK" : "Error"), text: async () => text };
    }

    async fetch(url, init) {
        const method = init.method || "GET";
        const headers = init.headers || {};
        const request = { url: String(url), method, headers, body: init.body, keepalive: !!init.keepalive };
        this.requests.push(request);
        await null;
        if (this.offline) {
            throw new TypeError("Failed to fetch");
        }
        if (this.failWith) {
            return this.response(this.failWith.status, this.failWith.text, this.failWith.statusText);
        }
        const u = new URL(url);
        if (!u.href.startsWith(this.base)) {
            return this.response(404, "not found: " + u.pathname);
        }
        const path = u.href.slice(this.base.length).split("?")[0];
        if (path === "bootstrap_authentication") {
            const req = JSON.parse(Buffer.from(init.body, "base64").toString("utf8"));
            if (req.method === "usernamepassword" && req.password === req.username + "-password") {
                return this.response(200, { token: this.tokenFor(req.username) });
            }
            return this.response(403, "forbidden: Invalid credentials");
        }
        const token = headers.authtoken;
        if (!token) {
            return this.response(401, "unauthorized: no authtoken header");
        }
        const payload = payloadOf(token);
        const user = this.user(payload.username);
        if (payload.seed !== user.seed) {
            return this.response(401, "unauthorized: the token is revoked");
        }
        if (payload.expires < Date.now() / 1000) {
            return this.response(401, "unauthorized: the token has expired");
        }
        if (path === "webtoken") {
            if (u.searchParams.get("reset")) {
                this.revoke(payload.username);
            }
            return this.response(200, { token: this.tokenFor(payload.username) });
        }
        if (path === "updates" && method === "GET") {
            const since = Number(u.searchParams.get("since"));
            const reset = since <= user.resetTime ? 1 : 0;
            const pick = (map) => [...map.values()].filter((x) => reset || x.st >= since);
            return this.response(200, {
                server_time: this.now(),
                reset,
                records: pick(user.records),
                settings: pick(user.settings),
            });
        }
        if ((path === "records" || path === "settings") && method === "PUT") {
            if (request.keepalive) {
                this.keepaliveBodies.push(init.body);
            }
            const items = JSON.parse(init.body);
            const required = path === "records" ? ["key", "mt", "t1", "t2"] : ["key", "mt", "value"];
            const store = user[path];
            const answer = { accepted: [], failed: [], errors: [] };
            for (const item of items) {
                const missing = required.filter((k) => item[k] === undefined);
                const bad = missing.length || (path === "records" && (typeof item.ds === "string" && item.ds.length >= 256));
                if (bad) {
                    answer.failed.push(item.key);
                    answer.errors.push(`invalid ${path.slice(0, -1)} ${item.key}`);
                    continue;
                }
                if (item.mt < user.resetTime) {
                    answer.failed.push(item.key);
                    answer.errors.push(`${item.key} was modified before a reset`);
                    continue;
                }
                const stored = store.get(item.key);
                const keep = stored && stored.mt > item.mt ? stored : { ...item };
                keep.st = Math.max(this.now(), stored ? stored.st + 0.0001 : 0);
                store.set(item.key, keep);
                answer.accepted.push(item.key);
            }
            return this.response(200, answer);
        }
        return this.response(404, "not found: " + path);
    }

    pushes(kind) {
        return this.requests.filter((r) => r.method === "PUT" && r.url.endsWith("/" + kind) && !r.keepalive);
    }

    pulls() {
        return this.requests.filter((r) => r.url.includes("/updates?since="));
    }
}

module.exports = { FakeApi, makeToken, b64url };
