"""The /ask API's argument checks and its HTTP edge (no model, no index: the middleware
is driven with a small echo app standing in for Gradio)."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui.api import ASK, BadArgument, OmittedArguments, ask_arguments

MAX_K = 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "question is empty"),
        (("   ",), "question is empty"),
        ((None,), "question is required"),
        ((42, 3), "question must be text, not a number (42)"),
        ((["q"],), "question must be text, not a list"),
        (("q", "abc"), "k must be a whole number from 1 to 20, not 'abc'"),
        (("q", 0), "k must be a whole number from 1 to 20, not 0"),
        (("q", 21), "not 21"),
        (("q", 2.5), "not a number (2.5)"),
        (("q", True), "not true (true/false)"),
        (("q", 3, 2016), "date_from must be text such as 2016, 2016-03 or 2016-03-01"),
        (("q", 3, "", {"y": 2016}), "date_to must be text"),
        (("q", 3, "", "", {"a": 1}), "company must be text (company names or tickers"),
        (("q", 3, "", "", [1, 2]), "company must be text"),
        (("q", 3, "", "", "", "yes"), "include_boilerplate must be true or false, not 'yes'"),
        (("q", 3, "", "", "", True, "on"), "keyword must be true or false, not 'on'"),
        (("q", 3, "", "", "", True, 1), "keyword must be true or false, not a number (1)"),
        (
            ("what is it?", 3, "", "", "", True, True),
            "keyword search needs a word to search for: the question has only common words",
        ),
    ],
)
def test_each_bad_argument_is_named_with_what_it_should_be(args, message):
    with pytest.raises(BadArgument) as info:
        ask_arguments(*args, max_k=MAX_K)
    assert message in str(info.value)


def test_omitted_and_null_optional_arguments_take_their_defaults():
    plain = ask_arguments("  Who makes CLR 131? ", max_k=MAX_K)
    nulls = ask_arguments("Who makes CLR 131?", None, None, None, None, None, None, max_k=MAX_K)
    assert plain == nulls
    assert (plain.question, plain.k, plain.date_from, plain.date_to) == (
        "Who makes CLR 131?",
        5,
        "",
        "",
    )
    assert plain.companies == () and plain.include_boilerplate is True
    assert plain.keyword is False
    assert ask_arguments("NCT06169488", keyword=True, max_k=MAX_K).keyword is True


def test_usable_values_are_read_as_meant():
    args = ask_arguments(
        "q", "7", "2015", "2016-06", "Cellectar Biosciences, Inc., ACME", False, max_k=MAX_K
    )
    assert (args.k, args.date_from, args.date_to) == (7, "2015", "2016-06")
    assert args.companies == ("Cellectar Biosciences, Inc.", "ACME")
    assert args.include_boilerplate is False
    assert ask_arguments("q", 3.0, company=[" CLRB ", ""], max_k=MAX_K).companies == ("CLRB",)
    assert ask_arguments("q", 3.0, max_k=MAX_K).k == 3


# -- the middleware ------------------------------------------------------------------------------
@pytest.fixture
def client():
    """The middleware in front of an app that echoes the JSON body it was given."""

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        assert int(request.headers["content-length"]) == len(body)
        return JSONResponse({"received": json.loads(body)})

    routes = [
        Route(path, echo, methods=["POST"])
        for path in ("/gradio_api/call/ask", "/gradio_api/call/v2/ask", "/gradio_api/call/other")
    ]
    app = Starlette(routes=routes, middleware=[Middleware(OmittedArguments, endpoints=[ASK])])
    with TestClient(app) as c:
        yield c


def test_positional_call_is_padded_with_nulls(client):
    r = client.post("/gradio_api/call/ask", json={"data": ["q", 3]})
    assert r.status_code == 200
    assert r.json()["received"] == {"data": ["q", 3, None, None, None, None, None]}
    r = client.post("/gradio_api/call/ask", json={"data": [], "session_hash": "x"})
    assert r.json()["received"] == {"data": [None] * 7, "session_hash": "x"}


def test_a_full_call_and_other_endpoints_pass_unchanged(client):
    full = {"data": ["q", 3, "", "", "", True, False]}
    assert client.post("/gradio_api/call/ask", json=full).json()["received"] == full
    other = {"data": ["q"]}
    assert client.post("/gradio_api/call/other", json=other).json()["received"] == other


def test_too_many_arguments_are_refused_with_a_message(client):
    r = client.post("/gradio_api/call/ask", json={"data": ["q", 3, "", "", "", True, False, 7]})
    assert r.status_code == 422
    assert r.json() == {
        "error": "ask takes at most 7 arguments (question, k, date_from, date_to, company, "
        "include_boilerplate, keyword), not 8"
    }


def test_keyword_call_needs_the_question_and_known_names(client):
    r = client.post("/gradio_api/call/v2/ask", json={"k": 2})
    assert (r.status_code, r.json()) == (422, {"error": "question is required"})
    r = client.post("/gradio_api/call/v2/ask", json={"question": "q", "top_k": 2})
    assert r.status_code == 422 and "ask has no argument 'top_k'" in r.json()["error"]
    ok = {"question": "q", "k": None}
    assert client.post("/gradio_api/call/v2/ask", json=ok).json()["received"] == ok
