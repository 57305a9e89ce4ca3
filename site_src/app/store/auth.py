"""Login state in the browser: the web token, logging in, and keeping the token fresh.

* PG-07: ``localStorage["timetagger_auth_info"]`` holds the JWT payload (``username``,
  ``expires``, ``seed``) plus ``token``, as JSON; the empty string means logged out.
  The payload is decoded as proper base64url with UTF-8 (quirk 1 fixed: ``-`` and
  ``_`` both mapped, padding restored).
* PG-08: ``login(method, username, password)`` posts to ``bootstrap_authentication``
  (body: base64 of the JSON request) and stores the token it gets.
* PG-11: ``start_renewal()`` renews the web token on load and then hourly (a long
  interval job, SY-17); a 401 saying ``revoked`` leads to the logout page.

Every request goes to ``env.api_url(endpoint)``, so the API may live on another origin.
"""

from pscript import window

from ..core import env, jobs

AUTH_KEY = "timetagger_auth_info"
RENEW_INTERVAL = 3600  # seconds


# %% Encoding


def base64url_to_bytes(text):
    """Decode base64url (or plain base64), with or without padding, to a Uint8Array."""
    s = str(text).strip()
    s = s.split("-").join("+").split("_").join("/")
    s = s.split("=").join("")
    if len(s) % 4 == 1:
        raise ValueError("invalid base64: bad length")
    while len(s) % 4:
        s += "="
    binary = window.atob(s)
    data = window.Uint8Array(len(binary))
    for i in range(len(binary)):
        data[i] = binary.charCodeAt(i)
    return data


def base64url_decode(text):
    """Decode base64url text holding UTF-8 (e.g. a JWT segment) to a string."""
    data = base64url_to_bytes(text)
    return window.TextDecoder("utf-8", {"fatal": True}).decode(data)


def base64_encode(text):
    """Standard base64 of the UTF-8 encoding of a string."""
    data = window.TextEncoder().encode(text)
    chunks = []
    for i in range(0, len(data), 4096):
        chunks.append(
            window.String.fromCharCode.apply(None, data.subarray(i, i + 4096))
        )
    return window.btoa("".join(chunks))


def decode_token_payload(token):
    """The payload object of a JWT, or None when it cannot be read."""
    if not token or not isinstance(token, str):
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = window.JSON.parse(base64url_decode(parts[1]))
    except Exception:
        return None
    if not payload or not isinstance(payload.username, str):
        return None
    return payload


# %% Stored login state


def get_auth_info():
    """The stored login: ``{username, expires, seed, token}``, or None when logged out."""
    try:
        text = window.localStorage.getItem(AUTH_KEY)
    except Exception:
        return None
    if not text:
        return None
    try:
        info = window.JSON.parse(text)
    except Exception:
        return None
    if not info or not info.token or not isinstance(info.username, str):
        return None
    return info


def set_auth_info_from_token(token):
    """Store a web token (PG-07). Returns the stored info, or None for a bad token."""
    payload = decode_token_payload(token)
    if payload is None:
        return None
    info = {
        "username": payload.username,
        "expires": payload.expires,
        "seed": payload.seed,
        "token": token,
    }
    window.localStorage.setItem(AUTH_KEY, window.JSON.stringify(info))
    return info


def clear_auth_info():
    window.localStorage.setItem(AUTH_KEY, "")


def get_username():
    info = get_auth_info()
    return info.username if info else ""


# %% Requests


async def _read_text(response):
    try:
        return await response.text()
    except Exception:
        return ""


def http_error_text(status, status_text, body):
    """The error text shown to users: ``<status> (<status text>)`` and the body."""
    text = str(status) + " (" + (status_text or "network error") + ")"
    if body:
        text += "\n" + body
    return text


def login_failure_text(method, status, body):
    """Why a login did not work, said to a person (not the HTTP status)."""
    body = str(body or "")
    detail = body.split(": ", 1)[1] if ": " in body else body
    if status == 403 and method == "usernamepassword":
        return (
            "Wrong user name or password. Check both (capital letters count) and"
            " try again."
        )
    if status == 429:
        return (
            "Too many attempts that did not work. Wait a few minutes, then try again."
        )
    if status == 0:
        return "The server could not be reached. Check your connection and try again."
    if status == 403 and method == "localhost":
        return "Logging in as the local user is not possible here: " + detail + "."
    if status == 403 and method == "proxy":
        return "The proxy did not log you in: " + detail + "."
    if status >= 500:
        return "The server had a problem logging you in. Try again in a moment."
    return "The server did not log you in: " + (detail or str(status)) + "."


async def api_request(method, endpoint, body=None, token=None):
    """Call the API. Returns ``{status, status_text, text}``; status 0 for a network
    failure. ``token`` defaults to the stored web token."""
    headers = {}
    if token is None:
        info = get_auth_info()
        token = info.token if info else ""
    if token:
        headers["authtoken"] = token
    init = {"method": method, "headers": headers}
    if body is not None:
        init.body = body
    try:
        response = await window.fetch(env.api_url(endpoint), init)
    except Exception as err:
        return {"status": 0, "status_text": "", "text": str(err)}
    text = await _read_text(response)
    return {"status": response.status, "status_text": response.statusText, "text": text}


async def login(method, username="", password=""):
    """Get a first web token (PG-08): ``method`` is ``usernamepassword``,
    ``localhost`` or ``proxy``. Returns ``[ok, message]``; on success the token is
    stored and the message names the user."""
    request = {"method": method}
    if method == "usernamepassword":
        request.username = username
        request.password = password
    body = base64_encode(window.JSON.stringify(request))
    r = await api_request("POST", "bootstrap_authentication", body, "")
    if r.status != 200:
        return [False, login_failure_text(method, r.status, r.text)]
    try:
        token = window.JSON.parse(r.text).token
    except Exception:
        token = None
    info = set_auth_info_from_token(token)
    if info is None:
        return [False, "The server answered without a valid token."]
    return [True, "Logged in as " + info.username + "."]


async def fetch_token(kind, reset=False):
    """Get a ``webtoken`` or ``apitoken`` with the stored web token (``?reset=1``
    rotates its seed first). Returns ``[status, token or error text]``."""
    endpoint = kind + ("?reset=1" if reset else "")
    r = await api_request("GET", endpoint)
    if r.status != 200:
        return [r.status, http_error_text(r.status, r.status_text, r.text)]
    try:
        token = window.JSON.parse(r.text).token
    except Exception:
        token = None
    if not token:
        return [0, "The server answered without a token."]
    return [200, token]


async def renew_webtoken(reset=False):
    """Exchange the stored web token for a fresh one (PG-11); ``reset`` logs out every
    other device. Returns ``[ok, message]``. A 401 saying ``revoked`` goes to the
    logout page; other failures (offline, expired) keep the current state."""
    info = get_auth_info()
    if info is None:
        return [False, "Not logged in."]
    status, result = await fetch_token("webtoken", reset)
    if status == 200:
        current = get_auth_info()
        # Another tab may have logged in as someone else meanwhile: keep theirs.
        if current is None or current.username == info.username:
            set_auth_info_from_token(result)
        return [True, "Token renewed."]
    if status == 401 and "revoked" in result:
        go_to_logout()
    return [False, result]


_renewal = {"cancel": None}


def start_renewal():
    """Renew now and every hour after (SY-17 job). Safe to call more than once."""
    if _renewal.cancel is None:
        _renewal.cancel = jobs.every(RENEW_INTERVAL, renew_webtoken, True)


# %% Navigation


def page_url(name):
    """Absolute URL of a page of the site, e.g. ``page_url("logout/")``."""
    return env.site_root_url() + name


def go_to_logout(return_page=None):
    """Leave for the logout page (which clears the token and the cache)."""
    url = page_url("logout/")
    if return_page:
        url += "#page=" + window.encodeURIComponent(return_page)
    window.location.replace(url)


def target_from_hash(default_page, hash_text=None):
    """The page named by ``#page=...`` in the URL, as an absolute URL on the site's
    own origin (anything else falls back to ``default_page``, relative to the root)."""
    root = env.site_root_url()
    if hash_text is None:
        hash_text = window.location.hash or ""
    target = None
    for part in hash_text.lstrip("#").split("&"):
        if part.startswith("page="):
            try:
                target = window.decodeURIComponent(part[5:])
            except Exception:
                target = None
    if target:
        try:
            url = window.URL(target, root)
            if url.origin == window.URL(root).origin and (
                url.protocol == "http:" or url.protocol == "https:"
            ):
                return url.href
        except Exception:
            pass
    return window.URL(default_page, root).href
