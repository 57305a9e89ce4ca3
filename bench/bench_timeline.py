"""The timeline's drawing speed in headless Chromium, with 100,000 records.

Builds the site into a temporary directory, serves it on 127.0.0.1 with a plain static
server, opens the sandbox app page in Debian's Chromium (Playwright, no downloaded
browser) at 1280x800, and loads 100,000 records into its store: one year of dense
tracking (about 274 records a day, 5 minutes each, with 20 tag combinations).

Figures, per view: the JavaScript time of one app frame (timeline canvas, top bar and
overview; the app's scheduler measures it around its draw callback), median / 95th
percentile / maximum in ms over the frames drawn, and for panning also the frame rate
the browser achieved:

- the year view, redrawn every frame while still (the target: <= 8 ms per frame);
- the year view while panning (the range moves every frame, like a drag);
- the first frame of the year view after the data changed (cold caches: every block's
  statistics and the overview computed anew; a one-off per change, shown for
  information);
- the month, week and day views, still and panning (the day view draws ~270
  individual records with labels).

Options: ``--records N`` (default 100000), ``--seconds S`` per measurement (default 3),
``--chromium PATH`` (default /usr/bin/chromium).
"""

import argparse
import functools
import http.server
import os
import socketserver
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "api"))

TARGET_MS = 8.0

LOAD_RECORDS = """async ([n, year]) => {
    const t0 = new Date(year, 0, 1).getTime() / 1000;
    const t1 = new Date(year + 1, 0, 1).getTime() / 1000;
    const step = (t1 - t0) / n;
    const combos = [];
    const clients = ["#client1", "#client2", "#client3", "#client4", "#admin"];
    const kinds = ["#code", "#meeting", "#design", "#writing"];
    for (const c of clients) { for (const k of kinds) { combos.push(c + " " + k); } }
    const store = ttapp.store;
    const items = [];
    const st = Date.now() / 1000;
    for (let i = 0; i < n; i++) {
        const start = Math.round(t0 + i * step);
        items.push({
            key: "b" + i.toString(36).padStart(7, "0"),
            t1: start, t2: start + Math.round(step * 0.85),
            ds: "Work item " + (i % 97) + " " + combos[i % combos.length],
            mt: Math.round(st), st: st,
        });
    }
    const t = performance.now();
    if (store._received) { store._received("records", items); }
    else { store.records.put(...items); }
    return [store.records.get_all_records().length, performance.now() - t];
}"""

# Draw for `seconds`: each animation frame moves the range (or not) and the app draws
# once; returns the app's frame times (ms) and the browser's frame intervals (ms).
MEASURE = """async ([t1, t2, seconds, pan]) => {
    basedialog.close_all();
    ttapp.set_range(t1, t2);
    await new Promise((r) => setTimeout(r, 300));
    const sched = ttapp.scheduler;
    sched.frame_times.length = 0;
    const stamps = [];
    const length = t2 - t1;
    const start = performance.now();
    await new Promise((resolve) => {
        function frame(ts) {
            stamps.push(ts);
            const f = (ts - start) / 1000;
            if (pan) {
                // Back and forth over a quarter of the range, like a drag.
                const shift = 0.25 * length * Math.sin(f * 2);
                ttapp.set_range(t1 + shift, t2 + shift);
            } else {
                ttapp.request_redraw();
            }
            if (f < seconds) { requestAnimationFrame(frame); } else { resolve(); }
        }
        requestAnimationFrame(frame);
    });
    const intervals = [];
    for (let i = 1; i < stamps.length; i++) { intervals.push(stamps[i] - stamps[i - 1]); }
    return [sched.frame_times.slice(), intervals];
}"""

COLD = """async ([t1, t2]) => {
    ttapp.set_range(t1, t2);
    await new Promise((r) => setTimeout(r, 300));
    const times = [];
    for (let i = 0; i < 5; i++) {
        ttapp.timeline.invalidate();
        ttapp.overview.invalidate();
        const t = performance.now();
        ttapp._draw();
        times.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
    }
    return times;
}"""


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def summary(values):
    if not values:
        return (0, 0, 0)
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return (statistics.median(values), p95, values[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    import build

    tmp = tempfile.mkdtemp(prefix="bench-timeline-")
    out = os.path.join(tmp, "dist")
    build.build(build.DEFAULT_SRC, out)
    httpd = serve(out)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/app/sandbox/"
    year = time.localtime().tm_year - 1

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url)
        page.wait_for_function("() => window.ttapp && window.basedialog")
        page.wait_for_timeout(400)
        page.evaluate("basedialog.close_all()")
        count, load_ms = page.evaluate(LOAD_RECORDS, [args.records, year])
        log(f"loaded {count} records in {load_ms:.0f} ms")

        def rng(expr):
            return page.evaluate(expr, year)

        views = [
            (
                "year",
                rng("(y) => [new Date(y, 0, 1) / 1000, new Date(y + 1, 0, 1) / 1000]"),
            ),
            (
                "month",
                rng("(y) => [new Date(y, 5, 1) / 1000, new Date(y, 6, 1) / 1000]"),
            ),
            (
                "week",
                rng("(y) => [new Date(y, 5, 3) / 1000, new Date(y, 5, 10) / 1000]"),
            ),
            ("day", rng("(y) => [new Date(y, 5, 5) / 1000, new Date(y, 5, 6) / 1000]")),
        ]
        year_range = views[0][1]
        cold = page.evaluate(COLD, year_range)
        rows.append(("year, first frame after a change", summary(cold), None))
        for name, (t1, t2) in views:
            for pan in (False, True):
                times, intervals = page.evaluate(MEASURE, [t1, t2, args.seconds, pan])
                fps = 1000 / statistics.median(intervals) if intervals else 0
                label = f"{name}, {'panning' if pan else 'still'}"
                rows.append((label, summary(times), fps if pan else None))
        browser.close()
    httpd.shutdown()

    print(
        f"Timeline drawing, {count:,} records in one year, 1280x800, headless Chromium"
    )
    print(f"{'view':36} {'median':>8} {'p95':>8} {'max':>8} {'fps':>6}  target")
    for label, (med, p95, mx), fps in rows:
        target = ""
        if label in ("year, still", "year, panning"):
            ok = p95 <= TARGET_MS
            target = f"p95 <= {TARGET_MS:g} ms: {'ok' if ok else 'MISSED'}"
        fps_text = f"{fps:6.0f}" if fps is not None else " " * 6
        print(f"{label:36} {med:6.2f}ms {p95:6.2f}ms {mx:6.2f}ms {fps_text}  {target}")
    if errors:
        print("page errors:", *errors, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
