"""Scripts of the pages around the app: login (PG-08), logout (PG-09), account
(PG-10) and the credential generator (PG-13).

A page loads this module with ``<script src="pages.js">``; once the page is parsed,
``main()`` runs the ``init_*`` function of the page its ``<body data-page>`` names
(no inline script: the Content-Security-Policy allows none). Links and redirects are
relative to the site root (``auth.page_url``), and API calls go to ``env.api_url``, so
the site works under any path prefix and with the API on another origin.
"""

from pscript import window

from .app.store import auth, idb

BCRYPT_COST = 10
LOGOUT_CACHE_TIMEOUT = 3  # seconds to wait for IndexedDB on logout


def main():
    """Set up the page that <body data-page="..."> names (login, logout, account,
    cred); other pages need nothing."""
    page = window.document.body.getAttribute("data-page")
    if page == "login":
        init_login()
    elif page == "logout":
        init_logout()
    elif page == "account":
        init_account()
    elif page == "cred":
        init_cred()


def _el(id):
    return window.document.getElementById(id)


def _set_text(id, text):
    el = _el(id)
    if el:
        el.textContent = text


def _show(el, visible):
    """Show or hide (the ``hidden`` attribute loses against ``.button`` styles)."""
    el.hidden = not visible
    el.style.display = "" if visible else "none"


def _is_localhost():
    host = window.location.hostname
    return host == "localhost" or host == "127.0.0.1" or host == "[::1]"


def _sleep(seconds):
    return window.Promise(lambda resolve: window.setTimeout(resolve, seconds * 1000))


# %% Login (PG-08)


def init_login():
    form = _el("login-form")
    status = _el("login-status")
    local_button = _el("login-localhost")
    current = auth.get_username()
    if current:
        status.textContent = (
            "You are logged in as " + current + ". Log in again to switch user."
        )
    _show(local_button, _is_localhost())

    def on_submit(event):
        event.preventDefault()
        username = _el("login-username").value.strip()
        password = _el("login-password").value
        if not username:
            show_failure("Please enter your user name.")
            _el("login-username").focus()
            return
        do_login("usernamepassword", username, password)

    async def do_login(method, username="", password="", silent=False):
        if not silent:
            status.classList.remove("error")
            status.textContent = "Logging in ..."
            _set_busy(True)
        ok, message = await auth.login(method, username, password)
        if ok:
            status.classList.remove("error")
            status.textContent = message + " Opening the app ..."
            window.location.replace(auth.target_from_hash("./app/"))
            return
        if not silent:
            _set_busy(False)
            show_failure(message)

    def show_failure(message):
        status.textContent = ""
        status.classList.add("error")
        for i, line in enumerate(message.split("\n")):
            if i > 0:
                status.appendChild(window.document.createElement("br"))
            status.appendChild(window.document.createTextNode(line))
        status.appendChild(window.document.createElement("br"))
        home = window.document.createElement("a")
        home.href = auth.page_url("")
        home.textContent = "Back to the home page"
        status.appendChild(home)

    def _set_busy(busy):
        for el in window.Array["from"](form.querySelectorAll("button, input")):
            el.disabled = busy

    form.addEventListener("submit", on_submit)
    local_button.addEventListener("click", lambda: do_login("localhost"))
    # A reverse proxy may vouch for the user: try silently (PG-08).
    do_login("proxy", "", "", True)


# %% Logout (PG-09)


async def init_logout():
    auth.clear_auth_info()
    # Local data goes too: unsynced edits of a (possibly stolen) device included.
    storage = window.localStorage
    keys = [storage.key(i) for i in range(storage.length)]
    for key in keys:
        if key and key.startsWith("timetagger_unsynced:"):
            storage.removeItem(key)
    try:
        await window.Promise.race([idb.clear_all(), _sleep(LOGOUT_CACHE_TIMEOUT)])
    except Exception as err:
        window.console.warn("could not clear the cache:", err)
    _set_text("logout-status", "Logged out.")
    window.location.replace(auth.target_from_hash("./"))


# %% Account (PG-10)


def init_account():
    # Come back here after logging in or out (PG-10).
    _el("account-login").href = auth.page_url("login/#page=./account/")
    _el("account-logout").href = auth.page_url("logout/#page=./account/")
    _el("account-refresh").addEventListener("click", refresh_account)
    _el("account-logout-others").addEventListener("click", logout_other_devices)
    _el("account-copy").addEventListener(
        "click", lambda: copy_text("account-apitoken", "account-copy")
    )
    _el("account-reset-apitoken").addEventListener("click", reset_api_token)
    refresh_account()


async def refresh_account():
    _set_text("account-status", "Checking ...")
    _set_text("account-apitoken", "...")
    _el("account-logout-others").disabled = True
    _el("account-reset-apitoken").disabled = True
    _el("account-copy").disabled = True
    await _sleep(0.2)
    username = auth.get_username()
    _show(_el("account-login"), not username)
    _show(_el("account-logout"), bool(username))
    if not username:
        _set_text("account-status", "Not logged in.")
        _set_text("account-apitoken", "Not available: log in first.")
        return
    _set_text("account-status", "Logged in as " + username + ".")
    _el("account-logout-others").disabled = False
    await show_api_token(False)


async def show_api_token(reset):
    status, text = await auth.fetch_token("apitoken", reset)
    box = _el("account-apitoken")
    if status == 200:
        box.textContent = text
        box.classList.remove("error")
        _el("account-copy").disabled = False
        _el("account-reset-apitoken").disabled = False
    else:
        box.textContent = "Could not get the API token: " + text
        box.classList.add("error")
        _el("account-copy").disabled = True
        _el("account-reset-apitoken").disabled = status == 401 or status == 403
        if status == 401 and "revoked" in text:
            auth.go_to_logout("./account/")


async def reset_api_token():
    question = (
        "Reset the API token? Every tool that uses the current one (the command "
        "line client, scripts) stops working until you give it the new one."
    )
    if not window.confirm(question):
        return
    _el("account-reset-apitoken").disabled = True
    await show_api_token(True)


async def logout_other_devices():
    button = _el("account-logout-others")
    label = button.textContent
    button.disabled = True
    button.textContent = "Logging out other devices ..."
    ok, message = await auth.renew_webtoken(True)
    if ok:
        button.textContent = "Done"
        await _sleep(1)
    else:
        _set_text("account-status", "Could not log out other devices: " + message)
    button.textContent = label
    button.disabled = False


async def copy_text(source_id, button_id):
    """Copy an element's text to the clipboard; the button says so for a second."""
    text = _el(source_id).textContent
    button = _el(button_id)
    ok = False
    try:
        await window.navigator.clipboard.writeText(text)
        ok = True
    except Exception:
        ok = _copy_by_selection(_el(source_id))
    label = button.textContent
    button.textContent = "Copied" if ok else "Select and copy by hand"
    await _sleep(1)
    button.textContent = label


def _copy_by_selection(el):
    """Clipboard fallback for pages without the async clipboard (plain http)."""
    try:
        selection = window.getSelection()
        selection.removeAllRanges()
        range_ = window.document.createRange()
        range_.selectNodeContents(el)
        selection.addRange(range_)
        return window.document.execCommand("copy")
    except Exception:
        return False


# %% Credential generator (PG-13)


def credential_forms(username, pwhash):
    """The three ready-to-paste forms of ``username:hash``: as is, for a shell (each
    ``$`` escaped) and for docker-compose (each ``$`` doubled)."""
    raw = username + ":" + pwhash
    return [raw, raw.split("$").join("\\$"), raw.split("$").join("$$")]


def check_username(username):
    """Why a user name cannot be used in the credentials setting, or ""."""
    if not username:
        return "Enter a user name."
    for c in [":", ",", ";"]:
        if c in username:
            return "A user name cannot contain '" + c + "' (it separates credentials)."
    if username != username.strip():
        return "A user name cannot start or end with a space."
    return ""


_cred = {"generation": 0, "timer": None}


def init_cred():
    # Nothing is sent: Enter in a field does not submit the form.
    _el("cred-form").addEventListener("submit", lambda e: e.preventDefault())
    for id in ["cred-username", "cred-password"]:
        _el(id).addEventListener("input", _schedule_hash)
    for kind in ["raw", "shell", "compose"]:
        _bind_copy(kind)
    _schedule_hash()


def _bind_copy(kind):
    _el("cred-copy-" + kind).addEventListener(
        "click", lambda: copy_text("cred-" + kind, "cred-copy-" + kind)
    )


def _schedule_hash():
    _cred.generation += 1
    if _cred.timer is not None:
        window.clearTimeout(_cred.timer)
    _cred.timer = window.setTimeout(_compute_hash, 250)
    _show_forms(None)


def _show_forms(forms):
    for i, kind in enumerate(["raw", "shell", "compose"]):
        _set_text("cred-" + kind, forms[i] if forms else "")
        _el("cred-copy-" + kind).disabled = not forms


async def _compute_hash():
    _cred.timer = None
    generation = _cred.generation
    username = _el("cred-username").value
    password = _el("cred-password").value
    status = _el("cred-status")
    problem = check_username(username)
    if not problem and not password:
        problem = "Enter a password."
    if problem:
        status.textContent = problem
        return
    notes = []
    if len(window.TextEncoder().encode(password)) > 72:
        notes.append("Only the first 72 bytes of the password count with bcrypt.")
    status.textContent = (
        "Computing the hash (bcrypt, cost " + str(BCRYPT_COST) + ") ..."
    )
    salt = await window.bcrypt.genSalt(BCRYPT_COST)
    pwhash = await window.bcrypt.hash(password, salt)
    if generation != _cred.generation:
        return  # the input changed meanwhile
    _show_forms(credential_forms(username, pwhash))
    status.textContent = " ".join(["Done: computed in this browser only."] + notes)
