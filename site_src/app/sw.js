// Service worker of the app: precaches the app shell, answers it cache-first, and
// never touches API traffic. The build fills in cacheName (version + content hash)
// and the list of assets; with an empty list the worker does nothing.

var cacheName = "timetagger_dev";
var assets = [];

self.addEventListener("install", function (event) {
    if (!assets.length) { return; }
    event.waitUntil(
        caches.open(cacheName).then(function (cache) { return cache.addAll(assets); })
            .then(function () { return self.skipWaiting(); })
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
                return hit || fetch(request);
            });
        })
    );
});
