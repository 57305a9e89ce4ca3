"""Long-interval jobs (SY-17): hourly token renewal, the 4-hourly service-worker check.

A plain ``setInterval`` of an hour drifts or never fires across a laptop's sleep.
Instead one checker runs every 10 seconds and whenever the page becomes visible, and
runs every job whose due time has passed. ``every(seconds, func)`` registers a job.
"""

from pscript import window

CHECK_INTERVAL = 10  # seconds

_jobs = []
_state = {"timer": None}


def _wall_time():
    # The real clock on purpose: a clock pinned for screenshots must not stop renewal.
    return window.Date.now() / 1000


def every(seconds, func, run_now=False):
    """Run ``func()`` every ``seconds`` (and once right away when ``run_now``).
    Returns a function that cancels the job."""
    job = {"interval": seconds, "due": _wall_time() + seconds, "func": func}
    _jobs.append(job)
    _start()
    if run_now:
        _run(job)

    def cancel():
        i = _jobs.indexOf(job)
        if i >= 0:
            _jobs.splice(i, 1)

    return cancel


def check():
    """Run the jobs that are due (also called by the checker timer)."""
    now = _wall_time()
    for job in list(_jobs):
        if job.due <= now:
            job.due = now + job.interval
            _run(job)


def _run(job):
    try:
        result = job.func()
        if result and result.then:
            result.catch(lambda err: window.console.warn("job failed:", err))
    except Exception as err:
        window.console.warn("job failed:", err)


def _start():
    if _state.timer is not None:
        return
    _state.timer = window.setInterval(check, CHECK_INTERVAL * 1000)
    if window.document and window.document.addEventListener:
        window.document.addEventListener("visibilitychange", check)


def stop():
    """Stop the checker and forget every job (tests)."""
    if _state.timer is not None:
        window.clearInterval(_state.timer)
        _state.timer = None
    if window.document and window.document.removeEventListener:
        window.document.removeEventListener("visibilitychange", check)
    _jobs.splice(0, len(_jobs))
