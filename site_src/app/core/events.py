"""Subscribing to changes: the one helper behind every ``on_change``.

``Emitter()`` keeps a list of callbacks. ``subscribe(callback)`` adds one and returns
the function that removes it again; ``emit(*args)`` calls each (a copy of the list, so
a callback may unsubscribe itself) and logs a callback that fails instead of stopping
the others. The store, the settings and the theme use it for their ``on_change``.
"""

from pscript import window


class Emitter:
    """A list of callbacks (see the module docstring)."""

    def __init__(self, what="change"):
        self._what = what
        self._callbacks = []

    def subscribe(self, callback):
        """Call ``callback(...)`` on every ``emit``. Returns an unsubscribe function."""
        self._callbacks.append(callback)

        def unsubscribe():
            i = self._callbacks.indexOf(callback)
            if i >= 0:
                self._callbacks.splice(i, 1)

        return unsubscribe

    def emit(self, *args):
        for callback in list(self._callbacks):
            try:
                callback(*args)
            except Exception as err:
                window.console.error(self._what + " callback failed:", err)

    def size(self):
        """How many callbacks are subscribed."""
        return len(self._callbacks)
