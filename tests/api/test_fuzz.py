"""Property-based fuzzing of a live ``python -m timetagger`` from docs/openapi.yaml.

Schemathesis generates requests for every operation of the description (its examples,
its coverage cases at the edges of each schema, and random valid and invalid data) and
sends them to a real server on 127.0.0.1: as a real user with a web token (logged in
through the API), with that user's API token, and anonymously (no ``authtoken``, or
one that schemathesis makes up). Every answer must pass the checks: no 5xx, a status
code the description lists for the operation, its content type, its headers
(``Cache-Control``, ``Retry-After``) and its body schema, plain-text errors included;
valid data accepted and invalid data refused; 405 with ``Allow`` for a method a path
does not take; authentication enforced where it is declared.

Bounded by default (``make test``, a fixed seed, so that CI is repeatable):
``FUZZ_EXAMPLES`` random examples per operation and identity (default 12).
``make fuzz`` runs longer, with a new seed each time (``FUZZ_SEED``, printed).
"""

import base64
import json
import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis.specs.openapi import checks as openapi_checks

from conftest import ROOT, start_server

from .conftest import USERS, Client, credentials_for, record

SPEC = os.path.join(ROOT, "docs", "openapi.yaml")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("FUZZ_SEED", "20261109"))


@schemathesis.deserializer("text/plain")
def plain_text(ctx, response):
    """Error bodies (and the root and status answers) are text: check them as strings
    against the description's patterns."""
    return response.content.decode("utf-8")


# Answers per (operation, status), printed at the end (``make fuzz`` shows them).
answers = Counter()


@schemathesis.hook
def after_call(context, case, response):
    answers[f"{case.operation.label} -> {response.status_code}"] += 1


def load_schema(with_security_parameters):
    """The description with our settings. Logged-in runs send a real token and let
    schemathesis generate none (it would otherwise also try requests without it,
    which the anonymous run covers)."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES,
                "mode": "all",
                "database": "none",
                "with-security-parameters": with_security_parameters,
            },
            "request-timeout": 30,
            # A deadline for every answer (failed logins wait up to 3 s by design).
            "checks": {
                "max_response_time": 10,
                # Too long is refused with 413 (a bootstrap body over 64 KiB).
                "negative_data_rejection": {
                    "expected-statuses": [400, 401, 403, 404, 405, 413]
                },
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_path(SPEC, config=config)


logged_in_schema = load_schema(with_security_parameters=False)
anonymous_schema = load_schema(with_security_parameters=True)


class FuzzServer:
    """One server for the whole module, with the tokens of a real user (alice).

    A fuzzed ``GET webtoken?reset=1`` revokes the web token it was sent with, and
    ``GET apitoken?reset=1`` the API token: the tokens those answers carry replace
    them, so the fuzzing goes on as a logged-in user."""

    def __init__(self, server):
        self.server = server
        client = Client(server)
        self.tokens = {"web": client.login("alice", USERS["alice"])}
        self.tokens["api"] = client.ok("GET", "apitoken")["token"]
        # Stored items of every kind, so that the answers that list them are checked
        # against the description with more than what the fuzzing happens to write.
        t = 1_700_000_000
        answer = client.put_records(
            [
                record("stopped", t, t + 3600, "#work on \u00e9t\u00e9 \U0001f600"),
                record("running", t + 7200, t + 7200, "running #a"),
                record("hidden", t, t + 60, "HIDDEN deleted"),
                record("bare", t - 60, t),  # no ds at all
                record("surrogate", t, t + 1, "cut \ud83d"),  # kept as given
            ]
        )
        assert not answer["failed"], answer
        answer = client.put_settings(
            [
                {"key": "nested", "mt": t, "value": {"a": [1, None, {"b": "c"}]}},
                {"key": "number", "mt": t, "value": 1.5},
            ]
        )
        assert not answer["failed"], answer

    def base_url(self, case):
        if case.operation.path == "/status":
            return self.server.base + self.server.prefix.rstrip("/")
        return self.server.url("api/v2")

    def adopt(self, case, identity, response):
        if response.status_code != 200 or identity != "web":
            return
        if case.operation.path == "/webtoken":
            self.tokens["web"] = response.json()["token"]
        elif case.operation.path == "/apitoken":
            self.tokens["api"] = response.json()["token"]

    def run(self, case, identity, excluded):
        """Send the case, as ``identity`` (``web``, ``api`` or None), and check the
        answer with every check but ``excluded`` (names)."""
        base_url = self.base_url(case)
        headers = {"authtoken": self.tokens[identity]} if identity else None
        response = case.call(base_url=base_url, headers=headers)
        try:
            case.validate_response(
                response,
                headers=headers,
                excluded_checks=[getattr(openapi_checks, n) for n in sorted(excluded)],
                additional_checks=[put_answer_accounts_for_items],
                transport_kwargs={"base_url": base_url, "headers": headers},
            )
        finally:
            self.adopt(case, identity, response)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_server(tmp_path_factory, request):
    # Few failed logins per short window: the fuzzing of login bodies meets the 429
    # (and its Retry-After) and gets past it again within a run.
    storage = {}
    if request.param == "postgresql":
        storage["database_url"] = request.getfixturevalue("pg_cluster").fresh_database()
    server = start_server(
        tmp_path_factory.mktemp("fuzz"),
        credentials=credentials_for(USERS),
        login_failures_per_ip=3,
        login_window=5,
        **storage,
    )
    try:
        yield FuzzServer(server)
    finally:
        server.stop()
        print(f"\nfuzzing: seed {SEED}, {sum(answers.values())} requests")
        for line, count in sorted(answers.items()):
            print(f"  {count:6}  {line}")
        assert "Traceback" not in server.log(), server.log()


def put_answer_accounts_for_items(ctx, response, case):
    """PUT records/settings: a body that is a JSON list is answered 200 (a bad item
    fails alone, listed in ``failed``), anything else 400; the answer names every
    item with a string key and has one error per failed key and per element that is
    not an object with a string key (at most 100, then a count).

    This replaces schemathesis' ``negative_data_rejection`` for these two
    operations: an item the description calls invalid is refused inside a 200."""
    if case.operation.method.upper() != "PUT" or response.status_code == 401:
        return None
    if case.operation.path not in ("/records", "/settings"):
        return None
    sent = response.request.body or b""
    try:
        body = json.loads(sent, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, list):
        assert response.status_code == 400, f"not a list, yet {response.status_code}"
        return True
    assert response.status_code == 200, f"a JSON list, yet {response.status_code}"
    answer = response.json()
    named = set(answer["accepted"]) | set(answer["failed"])
    keyed = [
        ob["key"]
        for ob in body
        if isinstance(ob, dict) and isinstance(ob.get("key"), str)
    ]
    assert set(keyed) <= named, f"items missing from the answer: {set(keyed) - named}"
    assert named <= set(keyed), f"keys not in the body: {named - set(keyed)}"
    messages = len(answer["failed"]) + len(body) - len(keyed)
    expected = messages if messages <= 100 else 101
    assert len(answer["errors"]) == expected, (messages, answer["errors"])
    return True


def refuse_constant(name):
    raise ValueError(name)


def common_exclusions(case):
    path, method = case.operation.path, case.operation.method.upper()
    names = set()
    if method == "PUT" and path in ("/records", "/settings"):
        names.add("negative_data_rejection")  # see put_answer_accounts_for_items
    if path == "/bootstrap_authentication":
        # Random base64 is rarely base64 of a JSON object: valid by the schema,
        # refused with 400 (the description's examples cover the 200).
        names.add("positive_data_acceptance")
    return names


@pytest.mark.parametrize("identity", ["web", "api"])
@logged_in_schema.parametrize()
def test_fuzz_logged_in(case, identity, fuzz_server):
    excluded = common_exclusions(case)
    if identity == "api" and case.operation.path in ("/webtoken", "/apitoken"):
        excluded.add("positive_data_acceptance")  # 403: these need a web token
    fuzz_server.run(case, identity, excluded)


@pytest.mark.parametrize("identity", [None], ids=["anonymous"])
@anonymous_schema.parametrize()
def test_fuzz_anonymous(case, identity, fuzz_server):
    excluded = common_exclusions(case)
    if case.operation.definition.raw.get("security") != []:
        # Without a valid token every answer is a 401, valid data or not.
        excluded |= {"positive_data_acceptance", "negative_data_rejection"}
    fuzz_server.run(case, identity, excluded)


# %% Login bodies: base64 of JSON objects

# Random base64 seldom decodes to a JSON object, so schemathesis alone hardly gets
# past the decoding of a login body. Here the objects are generated first (with the
# fields of each method, right and wrong passwords, odd types, lone surrogates) and
# then encoded in the ways clients do; each answer is checked by schemathesis
# against the description like any other.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
names = st.sampled_from(["alice", "bob", "nobody", "", "\ud800"]) | st.text(max_size=8)
passwords = st.sampled_from([USERS["alice"], "wrong", "\ud800"]) | st.text(max_size=8)
password_login = st.fixed_dictionaries(
    {"method": st.just("usernamepassword"), "username": names, "password": passwords}
)
login_objects = st.sampled_from(
    # Password logins, the most interesting path, half the time.
    [password_login] * 4
    + [
        st.fixed_dictionaries(
            {"method": st.just("usernamepassword")},
            optional={
                "username": names | json_values,
                "password": passwords | json_values,
            },
        ),
        st.fixed_dictionaries(
            {"method": st.sampled_from(["localhost", "proxy"]) | st.text(max_size=8)}
        ),
        st.dictionaries(st.sampled_from(["method", "username", "x"]), json_values),
        json_values,
    ]
).flatmap(lambda strategy: strategy)


@st.composite
def login_bodies(draw):
    text = json.dumps(draw(login_objects))
    data = text.encode("utf-8", "surrogatepass" if draw(st.booleans()) else "replace")
    encoded = (
        base64.urlsafe_b64encode(data)
        if draw(st.booleans())
        else base64.b64encode(data)
    ).decode()
    if draw(st.booleans()):
        encoded = encoded.rstrip("=")
    if len(encoded) > 40 and draw(st.booleans()):
        encoded = encoded[:40] + "\n" + encoded[40:]
    return encoded


@settings(
    max_examples=EXAMPLES * 4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@hypothesis_seed(SEED)
@given(body=login_bodies())
def test_fuzz_login_bodies(body, fuzz_server):
    operation = anonymous_schema["/bootstrap_authentication"]["POST"]
    case = operation.Case(body=body, media_type="text/plain")
    fuzz_server.run(case, None, {"positive_data_acceptance", "ignored_auth"})
