"""The report dialog's sharing part: make a read-only link to the report on screen
(its tags and dates, or its tags and "the current month"), and list the links made
before, each with Revoke. Only for a logged-in user (the API's ``shares``).

``SharePanel(node, what)`` fills ``node``; ``what()`` gives ``{tags, t1, t2}`` of the
report at the moment the link is made. The link is ``<site>/shared/#<token>``: the
token is in the fragment, so it reaches no server log. The token is shown once (the
server keeps only its hash); the list shows tags and dates, never tokens. Text from
the server and from tags reaches the page through ``markup.escape``/``textContent``.
"""

from pscript import window

from ..core import dt, env, markup
from ..store import auth


def share_url(token):
    """The address of the shared page for a share token."""
    return env.site_root_url() + "shared/#" + window.encodeURIComponent(token)


def share_body(tags, t1, t2, current_month, utc_offset_minutes):
    """The body of ``POST shares`` for the report's tags and dates (or the current
    month in the owner's UTC offset)."""
    rng = {"t1": t1, "t2": t2}
    if current_month:
        rng = {"current_month": utc_offset_minutes}
    return {"tags": list(tags or []), "range": rng}


def range_text(share):
    rng = share.range or {}
    if rng.current_month is not undefined:
        return "the current month"
    last = max(rng.t1, rng.t2 - 1)
    return dt.format_date(rng.t1) + " \u2013 " + dt.format_date(last)


class SharePanel:
    def __init__(self, node, what):
        self._node = node
        self._what = what
        node.innerHTML = (
            '<details class="tt-rp-share"><summary>Share\u2026</summary>'
            + '<p class="tt-note">A read-only link to this report: whoever opens it'
            + " sees these tags in these dates (or in the current month), nothing"
            + " else, without an account. Revoke it to end it.</p>"
            + '<label class="tt-check"><input type="checkbox" class="tt-rp-share-month">'
            + " Always the current month</label> "
            + '<button type="button" class="tt-small tt-rp-share-make">Make link</button>'
            + '<input type="text" class="tt-rp-share-link" readonly hidden'
            + ' aria-label="The new shared link">'
            + '<p class="tt-rp-share-status tt-note" role="status"></p>'
            + '<ul class="tt-rp-share-list"></ul></details>'
        )
        self._details = node.querySelector("details")
        self._status = node.querySelector(".tt-rp-share-status")
        self._link = node.querySelector(".tt-rp-share-link")
        self._list = node.querySelector(".tt-rp-share-list")
        self._month = node.querySelector(".tt-rp-share-month")
        node.querySelector(".tt-rp-share-make").addEventListener(
            "click", self._on_make, False
        )
        self._list.addEventListener("click", self._on_list_click, False)
        self._details.addEventListener("toggle", self._on_toggle, False)

    def _say(self, text):
        self._status.textContent = text

    def _on_toggle(self, e=None):
        if self._details.open:
            self.refresh()

    async def refresh(self):
        r = await auth.api_request("GET", "shares")
        if r.status != 200:
            self._say("The links could not be listed: " + r.text)
            return
        shares = window.JSON.parse(r.text).shares
        html = ""
        for share in shares:
            tags_text = " ".join(share.tags) if len(share.tags) else "all records"
            html += (
                '<li><span class="tt-rp-share-what">'
                + markup.escape(tags_text + ", " + range_text(share))
                + '</span> <button type="button" class="tt-small" data-revoke="'
                + markup.escape(share.key)
                + '">Revoke</button></li>'
            )
        self._list.innerHTML = html

    async def _on_make(self, e=None):
        what = self._what()
        offset = -window.Date().getTimezoneOffset()
        body = share_body(what.tags, what.t1, what.t2, self._month.checked, offset)
        r = await auth.api_request("POST", "shares", window.JSON.stringify(body))
        if r.status != 200:
            self._say("No link was made: " + r.text)
            return
        token = window.JSON.parse(r.text).token
        self._link.value = share_url(token)
        self._link.hidden = False
        self._link.focus()
        self._link.select()
        self._say("Copy this link now: it is shown only once.")
        await self.refresh()

    async def _on_list_click(self, e):
        button = e.target.closest("[data-revoke]") if e.target.closest else None
        if not button:
            return
        key = button.getAttribute("data-revoke")
        body = window.JSON.stringify({"revoke": key})
        r = await auth.api_request("PUT", "shares", body)
        if r.status != 200:
            self._say("The link was not revoked: " + r.text)
        else:
            self._say("Revoked: that link no longer works.")
            self._link.hidden = True
        await self.refresh()
