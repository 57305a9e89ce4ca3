// Service worker of the app (SY-18): precaches the app shell (the pages of app/ and
// every asset they use, listed by the build), answers it from the cache first, and
// never touches API traffic: requests to another origin (a split deployment's API)
// and paths containing /api/ go straight to the network. The build fills in
// cacheName (version + content hash) and the asset list; with an empty list the
// worker does nothing. A new version installs beside the old one, takes over at once
// and deletes the old caches; the page announces it (pwa.py, SY-19).
// A click on one of the app's notifications (TP-09) closes it and tells every open
// window of the app which button was pressed ({type: "notificationclick", action});
// unless that was "close", a window is focused (or the app opened when none is).

var cacheName = "timetagger_dev";
var assets = [];

self.addEventListener("install", function (event) {
    if (!assets.length) { return; }
    event.waitUntil(
        caches.open(cacheName).then(function (cache) {
            // Bypass the HTTP cache: the pages must be the ones of this version.
            var requests = assets.map(function (url) { return new Request(url, {cache: "reload"}); });
            return cache.addAll(requests);
        }).then(function () { return self.skipWaiting(); })
    );
});

self.addEventListener("activate", function (event) {
    event.waitUntil(
        caches.keys().then(function (names) {
            return Promise.all(names.map(function (name) {
                if (name !== cacheName && name.indexOf("timetagger") === 0) { return caches.delete(name); }
            }));
        }).then(function () { return self.clients.claim(); })
    );
});

self.addEventListener("fetch", function (event) {
    if (!assets.length) { return; }
    var request = event.request;
    var url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
    if (url.pathname.indexOf("/api/") >= 0) { return; }
    event.respondWith(
        caches.open(cacheName).then(function (cache) {
            return cache.match(request, {ignoreSearch: true}).then(function (hit) {
                if (hit) { return hit; }
                // A page asked for without its trailing slash (app/demo for app/demo/).
                if (request.mode === "navigate" && url.pathname.slice(-1) !== "/") {
                    return cache.match(url.origin + url.pathname + "/").then(function (page) {
                        return page || fetch(request);
                    });
                }
                return fetch(request);
            });
        })
    );
});

self.addEventListener("notificationclick", function (event) {
    var action = event.action || "";
    event.notification.close();
    event.waitUntil(
        self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
            windows.forEach(function (client) {
                client.postMessage({type: "notificationclick", action: action});
            });
            if (action === "close") { return; }
            if (windows.length) {
                return windows[0].focus().catch(function () { return null; });
            }
            if (!action) { return self.clients.openWindow("./"); }
        })
    );
});
