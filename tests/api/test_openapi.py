"""docs/openapi.yaml, the OpenAPI 3.1 description of /api/v2: a valid document, in
step with the server (the same routes as the server's route table, the same version,
the same grammar for numbers and flags in query strings). The live server is fuzzed
from it in test_fuzz.py."""

import copy
import os
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from conftest import ROOT

SPEC = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec():
    return load_spec()


def load_spec():
    with open(SPEC, encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_is_a_valid_openapi_3_1_document(spec):
    assert spec["openapi"].startswith("3.1.")
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_the_validator_catches_a_broken_document(spec):
    # The check above is only worth something if the validator refuses mistakes.
    broken = copy.deepcopy(spec)
    broken["paths"]["/updates"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] = {"$ref": "#/components/schemas/NoSuchSchema"}
    with pytest.raises(Exception, match="NoSuchSchema"):
        validate(broken, cls=OpenAPIV31SpecValidator)
    broken = copy.deepcopy(spec)
    broken["paths"]["/records"]["get"]["parameters"][0]["in"] = "body"
    with pytest.raises(Exception):  # noqa: B017 - any validation error will do
        validate(broken, cls=OpenAPIV31SpecValidator)


def served_routes():
    """(path below the prefix, METHOD) for every route the server answers, read from
    the server's own tables (HEAD and OPTIONS aside, answered for every path)."""
    from timetagger.server import _apiserver, _app

    routes = set()
    for path, methods in _apiserver.ROUTES.items():
        assert _app.path_methods("api/v2/" + path) == list(methods)
        routes |= {("api/v2/" + path, method) for method in methods}
    routes |= {("status", method) for method in _app.path_methods("status")}
    return routes


def described_routes(spec):
    """(path below the prefix, METHOD) for every operation of the description, with
    each path's server (the API's, or its own for ``status``)."""
    routes = set()
    for path, item in spec["paths"].items():
        server = (item.get("servers") or spec["servers"])[0]["url"]
        assert server.startswith("{prefix}"), server
        full = server[len("{prefix}") :] + path
        for method in set(item) & METHODS:
            routes.add((full.lstrip("/"), method.upper()))
    return routes


def test_every_route_is_described_and_every_description_is_a_route(spec):
    served, described = served_routes(), described_routes(spec)
    assert served - described == set(), "routes missing from docs/openapi.yaml"
    assert described - served == set(), "operations the server does not have"
    # HEAD and OPTIONS are implicit (docs/openapi.yaml says so): never listed.
    assert not {m for _, m in described} & {"HEAD", "OPTIONS"}


def test_the_default_server_is_the_default_prefix(spec):
    from timetagger import _config

    (server,) = spec["servers"]
    prefix = server["variables"]["prefix"]["default"]
    assert prefix + "/" == _config.SETTINGS_BY_NAME["path_prefix"].default
    assert server["url"].replace("{prefix}", prefix) + "/" == "/timetagger/api/v2/"


def test_version_and_security(spec):
    from timetagger import __version__

    assert spec["info"]["version"] == __version__
    scheme = spec["components"]["securitySchemes"]["authtoken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "authtoken"}
    assert spec["security"] == [{"authtoken": []}]
    public = {
        path
        for path, item in spec["paths"].items()
        for op in item.values()
        if isinstance(op, dict) and op.get("security") == []
    }
    from timetagger.server import _apiserver

    assert public == {"/status"} | {"/" + p for p in _apiserver.PUBLIC}


def test_every_operation_describes_its_errors_as_text(spec):
    for path, item in spec["paths"].items():
        for method in set(item) & METHODS:
            responses = item[method]["responses"]
            assert "500" not in responses and "default" not in responses
            if item[method].get("security") != []:
                assert "401" in responses, (method, path)
            for code in ("408", "431"):  # any request can get these
                assert code in responses, (method, path, code)
            for code, response in responses.items():
                if "$ref" in response:
                    name = response["$ref"].rpartition("/")[2]
                    response = spec["components"]["responses"][name]
                media = set(response["content"])
                if code.startswith("4"):
                    assert media == {"text/plain"}, (method, path, code)
                if code == "200" and path not in ("/", "/status"):
                    assert media == {"application/json"}, (method, path)


def all_patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from all_patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_patterns(value)


def test_patterns_are_anchored_and_compile(spec):
    patterns = list(all_patterns(spec))
    assert len(patterns) > 10
    for pattern in patterns:
        re.compile(pattern)
        assert pattern.startswith("^"), pattern


def schema_pattern(spec, name):
    return spec["components"]["schemas"][name]["pattern"]


def test_the_flag_pattern_takes_every_word_of_the_server(spec):
    from timetagger._config import FALSE_WORDS, TRUE_WORDS

    pattern = re.compile(schema_pattern(spec, "Flag"))
    for word in TRUE_WORDS | FALSE_WORDS:
        for variant in (word, word.upper(), word.title(), f" {word}\t", ""):
            assert pattern.fullmatch(variant), variant
    for other in ("maybe", "2", "truth", "\u017fes", "\x1ctrue", "yes no"):
        assert not pattern.fullmatch(other), other


SPEC_DATA = load_spec()
DESCRIBED_NUMBER = schema_pattern(SPEC_DATA, "QueryNumber")
DESCRIBED_FLAG = schema_pattern(SPEC_DATA, "Flag")
DESCRIBED_TIMERANGE = SPEC_DATA["paths"]["/records"]["get"]["parameters"][0]["schema"][
    "pattern"
]


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    number=st.from_regex(DESCRIBED_NUMBER, fullmatch=True),
    timerange=st.from_regex(DESCRIBED_TIMERANGE, fullmatch=True),
    flag=st.from_regex(DESCRIBED_FLAG, fullmatch=True),
)
def test_what_the_description_allows_the_server_reads(number, timerange, flag):
    """Every number, time range and flag the description allows is read by the
    server, into finite floats or a boolean (the fuzzing checks that what the
    description does not allow is a 400)."""
    from timetagger.server._apiserver import parse_timerange
    from timetagger.server._http import parse_number, query_flag

    value = parse_number(number, "since")
    assert value == float(number.strip(" \t"))
    assert value not in (float("inf"), float("-inf"))
    a, b = parse_timerange({"timerange": timerange})
    assert {a, b}.isdisjoint({float("inf"), float("-inf")})
    assert query_flag({"reset": flag}, "reset") in (True, False, None)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_what_the_server_reads_the_description_allows(data):
    """The other way round, from the server's own grammar."""
    from timetagger.server._apiserver import TIMERANGE
    from timetagger.server._http import NUMBER

    number = data.draw(st.from_regex(NUMBER, fullmatch=True))
    assert re.fullmatch(DESCRIBED_NUMBER, f" {number}\t"), number
    timerange = data.draw(st.from_regex(TIMERANGE, fullmatch=True))
    assert re.fullmatch(DESCRIBED_TIMERANGE, timerange), timerange
