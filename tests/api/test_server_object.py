"""The application object (``_server.Server``): built once from the configuration,
built again when the configuration changes (nothing answered from an older one), and
the token layer's own error answered as a 401.

These tests run the real ASGI app in this process (through httpx's ASGI transport)
with ``timetagger.config`` pointed at a temporary data directory.
"""

import asyncio

import httpx
import jwt
import pytest

from .conftest import bootstrap_body, make_hash

PREFIX = "/timetagger/"


@pytest.fixture
def config(tmp_path, monkeypatch):
    """``timetagger.config`` with its defaults, a temporary datadir and one user;
    restored (and so a fresh Server built) afterwards."""
    from timetagger import config

    monkeypatch.setattr(config, "datadir", str(tmp_path / "data"))
    monkeypatch.setattr(config, "credentials", f"alice:{make_hash('alice-pw')}")
    monkeypatch.setattr(config, "cors_origins", "")
    monkeypatch.setattr(config, "path_prefix", PREFIX)
    monkeypatch.setattr(config, "site_dir", "")
    yield config


def run(coro):
    return asyncio.run(coro)


async def call(method, path, **kwargs):
    from timetagger.server._app import app

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.request(method, PREFIX + path, **kwargs)


async def login(username, password):
    body = bootstrap_body(
        {"method": "usernamepassword", "username": username, "password": password}
    )
    return await call("POST", "api/v2/bootstrap_authentication", content=body)


def test_the_server_is_built_once_per_configuration(config):
    from timetagger.server._server import current_server

    first = current_server()
    assert current_server() is first  # no change: the same object, nothing re-read
    assert first.settings.datadir == config.datadir
    config.cors_origins = "https://app.example.com"
    second = current_server()
    assert second is not first
    assert second.origins == frozenset({"https://app.example.com"})
    assert second.settings.cors_origins == "https://app.example.com"
    assert first.settings.cors_origins == ""  # a frozen copy: the old one unchanged
    # What depends only on the data directory is carried over, not opened twice.
    assert second.stores is first.stores and second.signer is first.signer
    assert current_server() is second


def test_a_config_change_is_answered_by_a_new_server(config, tmp_path):
    """Credentials, CORS origins and the data directory changed between requests
    take effect at the next request: no part keeps an older value."""
    from timetagger.server._server import current_server

    async def main():
        r = await login("alice", "alice-pw")
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        first = current_server()
        r = await call("GET", "api/v2/version", headers={"authtoken": token})
        assert r.status_code == 200, r.text

        # New credentials: the old password fails, the new one works.
        config.credentials = f"alice:{make_hash('new-pw')}"
        r = await login("alice", "alice-pw")
        assert r.status_code == 403, r.text
        r = await login("alice", "new-pw")
        assert r.status_code == 200, r.text

        # A new CORS origin is allowed at once.
        origin = {"origin": "https://app.example.com"}
        r = await call("GET", "api/v2/version", headers={"authtoken": token, **origin})
        assert "access-control-allow-origin" not in r.headers
        config.cors_origins = "https://app.example.com"
        r = await call("GET", "api/v2/version", headers={"authtoken": token, **origin})
        assert r.headers["access-control-allow-origin"] == "https://app.example.com"

        # Another data directory: another key and other users, the old stores closed.
        old = current_server()
        alice = old.stores.get("alice")
        assert alice is not None and alice.conn is not None
        config.datadir = str(tmp_path / "other")
        r = await call("GET", "api/v2/version", headers={"authtoken": token})
        assert r.status_code == 401, r.text  # signed with the other directory's key
        new = current_server()
        assert new.stores is not old.stores and new.signer is not old.signer
        assert alice.conn is None
        assert new.stores.get("alice") is None
        assert first is not new

    run(main())


def test_the_token_layer_raises_its_own_error(config):
    """``TokenSigner.verify`` raises ``TokenError`` (no HTTP answer in the token
    layer); ``authenticate`` turns it into ``AuthException``."""
    from timetagger.server import _http, _tokens
    from timetagger.server._server import current_server

    assert not issubclass(_tokens.TokenError, _http.HTTPError)
    assert _http not in vars(_tokens).values() and not hasattr(_tokens, "HTTPError")
    signer = current_server().signer
    token = signer.make_webtoken("alice", "seed1")
    assert signer.verify(token)["username"] == "alice"
    other = jwt.encode(
        {"username": "alice", "expires": 2e9, "seed": "x"}, "k" * 32, "HS256"
    )
    cases = {
        "not-a-jwt": "malformed",
        other: "signature",
        "x" * 5000: "too long",
        jwt.encode({"username": "", "expires": 1, "seed": "s"}, signer.key): "username",
        jwt.encode(
            {"username": "a", "expires": "1", "seed": "s"}, signer.key
        ): "expires",
        jwt.encode({"username": "a", "expires": 1, "seed": 5}, signer.key): "seed",
    }
    for bad, words in cases.items():
        with pytest.raises(_tokens.TokenError, match=words):
            signer.verify(bad)


def test_a_token_error_is_answered_401(config):
    """Each kind of ``TokenError`` reaches the client as a 401 with its text, from
    the ASGI app and from the public ``authenticate``."""
    from timetagger.server import AuthException, authenticate
    from timetagger.server._server import current_server

    async def main():
        signer = current_server().signer
        bad = {
            "not-a-jwt": "malformed",
            jwt.encode(
                {"username": "alice", "expires": 2e9, "seed": "x"}, "k" * 32, "HS256"
            ): "signature is not valid",
            jwt.encode({"username": "a", "expires": 1, "seed": 5}, signer.key): "seed",
        }
        for token, words in bad.items():
            r = await call(
                "GET", "api/v2/updates?since=0", headers={"authtoken": token}
            )
            assert r.status_code == 401, r.text
            assert r.headers["content-type"].startswith("text/plain")
            assert r.text.startswith("unauthorized: "), r.text
            assert words in r.text, r.text

            class Request:  # what ``authenticate`` reads of an asgineer request
                scope = {"headers": [(b"authtoken", token.encode())]}

            with pytest.raises(AuthException, match=words):
                await authenticate(Request())

    run(main())


def test_every_user_store_comes_from_one_place(config):
    """``Server.stores`` maps a user name to its store object; the backend is what
    ``storage_backend`` chose."""
    from timetagger.server import _store, user2filename
    from timetagger.server._server import current_server, storage_backend

    server = current_server()
    backend = server.stores.backend
    assert isinstance(backend, _store.SQLiteFiles)
    assert type(storage_backend(server.settings)) is type(backend)
    assert server.stores.get("carol") is None
    db = server.stores.get("carol", create=True)
    assert server.stores.get("carol") is db
    assert db.filename == user2filename("carol")
    server.stores.close()
    assert db.conn is None


def test_public_functions_have_type_hints():
    """The names of the library reference are annotated."""
    import inspect

    import timetagger.server as server

    for name in server.__all__:
        ob = getattr(server, name)
        if inspect.isclass(ob):
            continue
        hints = ob.__annotations__
        assert "return" in hints, name
        params = inspect.signature(ob).parameters
        missing = [p for p in params if p not in hints and p != "request"]
        assert not missing, (name, missing)
