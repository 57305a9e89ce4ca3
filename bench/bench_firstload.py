"""The first load of the app page, side by side with the original TimeTagger, in
headless Chromium (Debian's, through Playwright).

Both servers run on 127.0.0.1 with their own data directory and the same user:
ours (``python -m timetagger --site_dir=<a fresh build>``) and the original 26.1.3
(installed by ``bench/original.py`` into ``bench/.venv-original``; it serves its own
app). Both get the same records for that user (``--records``, default 1,000: two
weeks of 10-minute records ending now, so that today's view draws records), written
through each one's API. Two pages are compared, the same on both:

- **demo**: ours ``app/demo/``, the original's ``app/demo`` (its assets are
  relative to ``app/``): generated data, no login, no API traffic;
- **app**: ``app/``, logged in as that user (its web token put into localStorage
  before the page runs, as the login page leaves it), which loads the records
  through the API.

Each load is cold: a new browser context (empty HTTP cache, no cookies, no storage)
at 1280x800, with service workers blocked, so that only the page's own loading is
measured (not the worker's precaching, which follows the first load of the app on
both). Loads alternate between the two servers; the figures are the median of
``--loads`` loads (default 9):

- **requests**: what the page asked for until the first timeline frame and then
  until the network was quiet for 0.5 s, as Playwright sees them; ``shell`` is
  everything but the API (the page, scripts, styles, fonts, images), ``api`` the
  API's calls;
- **KiB**: the response bodies as transferred (gzip where the server compresses;
  both do for text), without headers;
- **DOMContentLoaded**: ``domContentLoadedEventStart`` of the navigation timing, in
  ms after the navigation started;
- **records pulled** (the logged-in app): ms after the navigation started at which
  the answer of the first ``updates?since=0`` (all records) had arrived; the
  measurement waits for it before it waits for the quiet network;
- **first timeline frame**: ms after the navigation started at which the page first
  drew onto a canvas at least 300 x 300 CSS pixels big (the timeline; the original
  draws its whole app onto one such canvas). A script run before the page's own
  (Playwright's init script) wraps the 2D context's drawing calls (fillRect, fill,
  fillText, stroke, strokeRect, drawImage) to note the time of the first one.

Targets (issue 10.6): ours at most 150 KiB and 6 shell requests for the app page, and
DOMContentLoaded and the first timeline frame no later than the original's.

Options: ``--loads N``, ``--records N``, ``--chromium PATH``.
"""

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "api"))
sys.path.insert(0, HERE)

import original  # noqa: E402

USER, PASSWORD = "bench", "bench-password"
TARGET_KIB = 150
TARGET_REQUESTS = 6

# Runs before the page's scripts: note the first drawing onto a big canvas.
FIRST_DRAW = """(() => {
    window.__first_canvas_draw = null;
    const proto = CanvasRenderingContext2D.prototype;
    for (const name of ["fillRect", "fill", "fillText", "stroke", "strokeRect", "drawImage"]) {
        const original = proto[name];
        proto[name] = function () {
            if (window.__first_canvas_draw === null) {
                const c = this.canvas;
                if (c && c.isConnected && c.clientWidth >= 300 && c.clientHeight >= 300) {
                    window.__first_canvas_draw = performance.now();
                }
            }
            return original.apply(this, arguments);
        };
    }
})();"""


# When the first answer of ``updates?since=0`` (all records) had arrived, in ms after
# the navigation started (null before).
PULLED = """() => {
    const e = performance.getEntriesByType("resource").find(
        (r) => r.name.includes("/api/v2/updates?since=0") && r.responseEnd > 0);
    return e ? e.responseEnd : null;
}"""


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_servers(tmp, credentials):
    """Ours (on a fresh build) and the original; returns {name: (base, proc)}."""
    import build

    site = os.path.join(tmp, "dist")
    build.build(build.DEFAULT_SRC, site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMETAGGER_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "api")
    servers = {}
    port = free_port()
    ours = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "timetagger",
            f"--bind=127.0.0.1:{port}",
            f"--datadir={os.path.join(tmp, 'data-ours')}",
            f"--site_dir={site}",
            f"--credentials={credentials}",
            "--log_level=warning",
        ],
        env=env,
        cwd=ROOT,
    )
    servers["ours"] = (f"http://127.0.0.1:{port}/timetagger/", ours)
    python = original.ensure_original(log)
    port = free_port()
    orig = subprocess.Popen(
        original.server_command(python, port, os.path.join(tmp, "data-original")),
        env=original.server_env(credentials),
        cwd=tmp,
    )
    servers["original"] = (f"http://127.0.0.1:{port}/timetagger/", orig)
    for base, proc in servers.values():
        wait_for(base + "status", proc)
    return servers


def login_token(base):
    body = base64.b64encode(
        json.dumps(
            {"method": "usernamepassword", "username": USER, "password": PASSWORD}
        ).encode()
    )
    r = httpx.post(base + "api/v2/bootstrap_authentication", content=body, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def auth_info(token):
    """What the login page leaves in localStorage: the token's payload plus it."""
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    info = json.loads(base64.urlsafe_b64decode(payload))
    info["token"] = token
    return info


def put_records(base, token, count):
    now = int(time.time())
    records = []
    for i in range(count):
        t2 = now - i * 600 - 60
        records.append(
            {
                "key": f"bench{i:06d}",
                "t1": t2 - 540,
                "t2": t2,
                "ds": f"work item {i % 37} #client{i % 5} #task{i % 7}",
                "mt": now,
                "st": 0,
            }
        )
    for i in range(0, count, 1000):
        r = httpx.put(
            base + "api/v2/records",
            json=records[i : i + 1000],
            headers={"authtoken": token},
            timeout=60,
        )
        r.raise_for_status()
        assert len(r.json()["accepted"]) == len(records[i : i + 1000]), r.text


def measure(browser, url, info=None):
    """One cold load of ``url``; returns the figures of the module docstring."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, service_workers="block"
    )
    context.add_init_script(FIRST_DRAW)
    if info is not None:
        context.add_init_script(
            "localStorage.setItem('timetagger_auth_info', "
            + json.dumps(json.dumps(info))
            + ");"
        )
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda r: requests.append(r))
    page.on("requestfailed", lambda r: requests.append(r))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__first_canvas_draw !== null", timeout=30000)
    if info is not None:  # the first pull of the records
        page.wait_for_function(PULLED, timeout=30000)
    quiet_until = time.monotonic() + 0.5
    seen = 0
    deadline = time.monotonic() + 15
    while time.monotonic() < min(quiet_until, deadline) or seen != len(requests):
        if seen != len(requests):
            seen = len(requests)
            quiet_until = time.monotonic() + 0.5
        page.wait_for_timeout(50)
    timing = page.evaluate(
        """() => [performance.getEntriesByType("navigation")[0].domContentLoadedEventStart,
                  window.__first_canvas_draw]"""
    )
    pulled = page.evaluate(PULLED) if info is not None else None
    figures = {"shell": 0, "shell_bytes": 0, "api": 0, "api_bytes": 0}
    for r in requests:
        kind = "api" if "/api/" in r.url else "shell"
        figures[kind] += 1
        try:
            figures[kind + "_bytes"] += max(0, r.sizes()["responseBodySize"])
        except Exception:  # a request that failed has no sizes
            pass
    figures["dcl"] = timing[0]
    figures["frame"] = timing[1]
    figures["pulled"] = pulled
    context.close()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    import bcrypt
    from playwright.sync_api import sync_playwright

    pwhash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    credentials = f"{USER}:{pwhash}"
    tmp = tempfile.mkdtemp(prefix="bench-firstload-")
    servers = start_servers(tmp, credentials)
    try:
        infos = {}
        for name, (base, _) in servers.items():
            token = login_token(base)
            put_records(base, token, args.records)
            infos[name] = auth_info(token)
        pages = [
            ("demo", {"ours": "app/demo/", "original": "app/demo"}, False),
            ("app", {"ours": "app/", "original": "app/"}, True),
        ]
        results = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=args.chromium,
                headless=True,
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
            for name, (base, _) in servers.items():  # warm up the servers
                measure(browser, base + pages[0][1][name])
            for i in range(args.loads):
                for page_name, paths, logged_in in pages:
                    for name, (base, _) in servers.items():
                        info = infos[name] if logged_in else None
                        key = (page_name, name)
                        results.setdefault(key, []).append(
                            measure(browser, base + paths[name], info)
                        )
                log(f"load {i + 1} of {args.loads} done")
            browser.close()
    finally:
        for _, proc in servers.values():
            proc.terminate()
            proc.wait(10)

    def median(page_name, name, field):
        return statistics.median(r[field] for r in results[(page_name, name)])

    print(
        f"First load, median of {args.loads} cold loads, 1280x800, headless Chromium, "
        f"{args.records:,} records for the logged-in app"
    )
    rows = [
        ("shell requests", "shell", "{:.0f}"),
        ("shell KiB (gzip)", "shell_bytes", "{:.1f}"),
        ("API requests", "api", "{:.0f}"),
        ("API KiB (gzip)", "api_bytes", "{:.1f}"),
        ("DOMContentLoaded (ms)", "dcl", "{:.0f}"),
        ("first timeline frame (ms)", "frame", "{:.0f}"),
        ("records pulled (ms)", "pulled", "{:.0f}"),
    ]
    print(f"{'measure':28} {'page':5} {'original':>9} {'ours':>9}  target")
    failed = []
    for page_name, _, logged_in in pages:
        for label, field, fmt in rows:
            if field == "pulled" and not logged_in:
                continue
            orig = median(page_name, "original", field)
            ours = median(page_name, "ours", field)
            if field.endswith("_bytes"):
                orig, ours = orig / 1024, ours / 1024
            target = ""
            ok = True
            if page_name == "app" and field == "shell_bytes":
                ok = ours <= TARGET_KIB
                target = f"<= {TARGET_KIB} KiB"
            elif page_name == "app" and field == "shell":
                ok = ours <= TARGET_REQUESTS
                target = f"<= {TARGET_REQUESTS}"
            elif field in ("dcl", "frame"):
                ok = ours <= orig
                target = "<= original"
            if target:
                target += ": ok" if ok else ": MISSED"
                if not ok:
                    failed.append(f"{page_name} {label}")
            print(
                f"{label:28} {page_name:5} {fmt.format(orig):>9} "
                f"{fmt.format(ours):>9}  {target}"
            )
    if failed:
        print("missed:", ", ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
