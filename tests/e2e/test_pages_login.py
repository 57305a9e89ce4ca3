"""The pages around the app, as a user meets them: login (PG-08), logout (PG-09), the
account page (PG-10) and the credential generator (PG-13)."""

import re

import bcrypt
import httpx
import pytest

from .helpers import (
    USERS,
    api_token_for,
    auth_info,
    login_app,
    put_record,
    save_screenshot,
    server_records,
    token_of,
)

pytestmark = pytest.mark.e2e


def test_login_with_credentials(page, site_server):
    page.goto(site_server.url("login"))
    # the wrong password: an error, and still logged out
    page.fill("#login-username", "alice")
    page.fill("#login-password", "not-her-password")
    page.press("#login-password", "Enter")
    page.wait_for_selector("#login-status.error")
    status = page.inner_text("#login-status")
    assert status.startswith("Wrong user name or password.") and "403" not in status
    assert page.locator("#login-status a").get_attribute("href") is not None
    assert auth_info(page) is None
    save_screenshot(page, "login-failed")

    page.fill("#login-password", USERS["alice"])
    page.press("#login-password", "Enter")  # Enter submits
    page.wait_for_url(site_server.url("app/"))
    info = auth_info(page)
    assert info["username"] == "alice"
    assert info["token"].count(".") == 2
    assert info["expires"] > 0 and info["seed"]
    # the token works against the API
    assert server_records(site_server, info["token"]) == {}
    assert page.js_errors == []


def test_login_goes_to_the_page_in_the_hash(page, site_server):
    page.goto(site_server.url("login/#page=./account/"))
    page.fill("#login-username", "bob")
    page.fill("#login-password", USERS["bob"])
    page.click("#login-submit")
    page.wait_for_url(site_server.url("account/"))
    page.wait_for_selector("#account-status:text('Logged in as bob.')")


def test_login_as_default_user_on_localhost(page, site_server):
    page.goto(site_server.url("login/"))
    button = page.locator("#login-localhost")
    assert button.is_visible()
    button.click()
    page.wait_for_url(site_server.url("app/"))
    assert auth_info(page)["username"] == "defaultuser"


def test_logout_page_forgets_the_login_and_the_local_data(page, site_server):
    login_app(page, site_server, pin=False)
    put_record(page, "#local", 1700000000, 1700000060)
    page.goto(site_server.url("logout/#page=./login/"))
    page.wait_for_url(site_server.url("login/"))
    assert page.evaluate("localStorage.getItem('timetagger_auth_info')") == ""
    n = page.evaluate(
        """() => new Promise((resolve) => {
            const req = indexedDB.open("timetagger", 1);
            req.onsuccess = () => {
                const count = req.result.transaction(["items"]).objectStore("items").count();
                count.onsuccess = () => resolve(count.result);
            };
        })"""
    )
    assert n == 0
    page.goto(site_server.url("logout"))
    page.wait_for_url(site_server.url(""))


def test_account_page(context, page, site_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site_server.url("account/"))
    page.wait_for_selector("#account-status:text('Not logged in.')")
    assert page.locator("#account-login").is_visible()
    assert not page.locator("#account-logout").is_visible()
    assert page.is_disabled("#account-logout-others")
    assert page.is_disabled("#account-reset-apitoken")
    assert "log in first" in page.inner_text("#account-apitoken")
    page.click("#account-login")
    page.wait_for_url(re.compile(r".*/login/#page=\./account/$"))
    page.fill("#login-username", "alice")
    page.fill("#login-password", USERS["alice"])
    page.click("#login-submit")
    page.wait_for_url(site_server.url("account/"))

    page.wait_for_selector("#account-status:text('Logged in as alice.')")
    assert page.locator("#account-logout").is_visible()
    assert not page.locator("#account-login").is_visible()
    page.wait_for_function(
        "document.getElementById('account-apitoken').textContent.split('.').length === 3"
    )
    api_token = page.inner_text("#account-apitoken").strip()
    save_screenshot(page, "account")
    # the API token reaches the data (as a CLI would use it)
    r = httpx.get(
        site_server.url("api/v2/updates?since=0"), headers={"authtoken": api_token}
    )
    assert r.status_code == 200

    page.click("#account-copy")
    page.wait_for_selector("#account-copy:text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == api_token

    # Reset: the old API token stops working, the new one works.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#account-reset-apitoken")
    page.wait_for_function(
        "(old) => { const t = document.getElementById('account-apitoken').textContent;"
        " return t.split('.').length === 3 && t !== old; }",
        arg=api_token,
    )
    new_token = page.inner_text("#account-apitoken").strip()
    old = httpx.get(
        site_server.url("api/v2/updates?since=0"), headers={"authtoken": api_token}
    )
    assert old.status_code == 401 and "revoked" in old.text
    assert (
        httpx.get(
            site_server.url("api/v2/updates?since=0"), headers={"authtoken": new_token}
        ).status_code
        == 200
    )
    # Declining the question changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#account-reset-apitoken")  # the handler ends when confirm() says no
    assert page.inner_text("#account-apitoken").strip() == new_token
    assert (
        httpx.get(
            site_server.url("api/v2/updates?since=0"), headers={"authtoken": new_token}
        ).status_code
        == 200
    )

    # Log out all other devices: another device's web token is revoked, ours works.
    other = api_token_for(site_server, "alice")
    page.click("#account-logout-others")
    page.wait_for_selector("#account-logout-others:text('Done')")
    r = httpx.get(
        site_server.url("api/v2/updates?since=0"), headers={"authtoken": other}
    )
    assert r.status_code == 401 and "revoked" in r.text
    assert server_records(site_server, token_of(page)) == {}
    page.wait_for_selector("#account-logout-others:text('Log out all other devices')")
    assert page.js_errors == []


def test_credential_generator(page, site_server, run_server):
    page.goto(site_server.url("cred/"))
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.fill("#cred-username", "carol")
    page.fill("#cred-password", "s3cret pass")
    page.wait_for_function(
        "document.getElementById('cred-raw').textContent.startsWith('carol:$2')",
        timeout=20000,
    )
    raw = page.inner_text("#cred-raw").strip()
    shell = page.inner_text("#cred-shell").strip()
    compose = page.inner_text("#cred-compose").strip()
    user, pwhash = raw.split(":", 1)
    assert user == "carol"
    assert re.fullmatch(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}", pwhash), pwhash
    assert int(pwhash.split("$")[2]) >= 10  # cost 10 or more
    assert bcrypt.checkpw(b"s3cret pass", pwhash.encode())
    assert shell == raw.replace("$", "\\$")
    assert compose == raw.replace("$", "$$")
    # nothing was sent anywhere (at most the browser fetching the favicon)
    for request in requests:
        assert request.method == "GET" and "/static/" in request.url, request.url
        assert "carol" not in request.url and "s3cret" not in request.url
    save_screenshot(page, "cred")

    # The credentials work on a server.
    server = run_server(credentials=raw)
    assert api_token_for(server, "carol", "s3cret pass")

    # A user name that cannot go into the setting is refused.
    page.fill("#cred-username", "ca:rol")
    page.wait_for_selector("#cred-status:has-text('cannot contain')")
    assert page.inner_text("#cred-raw").strip() == ""
    assert page.is_disabled("#cred-copy-raw")
    assert page.js_errors == []


def test_pages_link_relatively(page, site_server):
    """Every link between pages is relative (works under any prefix)."""
    for path in ["", "login/", "account/", "cred/"]:
        page.goto(site_server.url(path))
        hrefs = page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in hrefs:
            assert not href.startswith("/"), (path, href)
