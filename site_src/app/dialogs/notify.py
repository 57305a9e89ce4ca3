"""System notifications (TP-08, TP-10) and the pomodoro's sounds (TP-11).

* ``permission()``: "granted", "denied", "default" (not asked yet) or "unsupported".
* ``ask_permission()``: ask the browser when it has not decided yet (only from a user's
  click or key, as browsers require); a promise of the permission.
* ``show(title, options)``: a notification when allowed. Through the service worker's
  registration when the page has one (then ``options.actions`` become buttons whose
  clicks the worker relays to the page, TP-09), else with ``new Notification`` (no
  buttons). Returns a promise of whether it was shown; failures are quiet.
* ``record_started(record)``: the running-timer notification (TP-08) when the
  "notifications" setting is on: titled "TimeTagger is tracking time", the
  record's description as body (text, never markup), tag ``timetagger-running`` (it
  replaces the one before), a "Stop" button. ``close_running()`` takes it away when
  the records stop.
* ``play(name)``: one of the sounds the app page lists (``<link rel="x-sound"
  id="tt-sound-NAME">``, files made by tools/make_sounds.py): "windup", "alarm",
  "manual". It restarts from the beginning; a browser that refuses to play (no user
  gesture yet) is ignored. ``played`` lists the names asked for (newest last).
"""

from pscript import window

from ..core import settings

RUNNING_TAG = "timetagger-running"
POMODORO_TAG = "timetagger-pomodoro"

played = []
_audio = {}


def permission():
    if not window.Notification:
        return "unsupported"
    return window.Notification.permission


def ask_permission():
    """Ask for permission if the browser has not decided; a promise of the result."""
    if permission() != "default":
        return window.Promise.resolve(permission())
    try:
        result = window.Notification.requestPermission()
    except Exception:
        return window.Promise.resolve(permission())
    if result and result.then:
        return result.catch(lambda err: permission())
    return window.Promise.resolve(permission())


def _icon_url():
    link = window.document.querySelector('link[rel="apple-touch-icon"]')
    return link.href if link else ""


def _registration():
    """A promise of the service worker registration that controls the page, or None."""
    container = window.navigator.serviceWorker
    if not container or not container.controller:
        return window.Promise.resolve(None)
    return container.getRegistration().catch(lambda err: None)


def show(title, options):
    """Show a notification if allowed; a promise of whether it was shown."""
    if permission() != "granted":
        return window.Promise.resolve(False)
    if not options.icon:
        options.icon = _icon_url()

    def with_registration(registration):
        if registration and registration.showNotification:
            return registration.showNotification(title, options).then(lambda x: True)
        plain = window.Object.assign({}, options)
        del plain["actions"]
        del plain["requireInteraction"]
        Notification = window.Notification
        Notification(title, plain)
        return True

    def failed(err):
        window.console.info("notification not shown:", err)
        return False

    return _registration().then(with_registration).catch(failed)


def record_started(record):
    """The running-timer notification (TP-08), when the setting is on."""
    if not settings.get("notifications"):
        return window.Promise.resolve(False)
    body = (record.ds if record else "") or "(no description)"
    return show(
        "TimeTagger is tracking time",
        {
            "body": body,
            "tag": RUNNING_TAG,
            "renotify": True,
            "actions": [{"action": "stop", "title": "Stop"}],
        },
    )


def close_running():
    """Records stopped: the running-timer notification goes (when there is one)."""

    def close_them(registration):
        if not registration or not registration.getNotifications:
            return None
        return registration.getNotifications({"tag": RUNNING_TAG}).then(
            lambda notes: [n.close() for n in notes]
        )

    return _registration().then(close_them).catch(lambda err: None)


def pomodoro_alarm(message):
    """The pomodoro's alarm (TP-07): ``message`` from ``pomodoro.alarm_message``."""
    actions = [{"action": a[0], "title": a[1]} for a in message.actions]
    return show(
        message.title,
        {
            "body": message.body,
            "tag": POMODORO_TAG,
            "renotify": True,
            "requireInteraction": True,
            "actions": actions,
        },
    )


def sound_url(name):
    link = window.document.getElementById("tt-sound-" + name)
    return link.href if link else ""


def play(name):
    """Play a sound from its start; problems (autoplay refused, offline) are quiet."""
    played.append(name)
    url = sound_url(name)
    if not url or not window.Audio:
        return
    audio = _audio[name]
    if not audio:
        Audio = window.Audio
        audio = Audio(url)
        _audio[name] = audio
    try:
        audio.currentTime = 0
        result = audio.play()
        if result and result.catch:
            result.catch(lambda err: None)
    except Exception:
        pass
