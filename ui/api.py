"""The ``/ask`` API's arguments: each mistake a caller can make gets a clear message.

:func:`ask_arguments` checks the raw JSON values a client sent (``gradio_client`` or
plain HTTP) and returns them typed, or raises :class:`BadArgument` naming the argument
and what it should be. An omitted or null optional argument takes its default.

:class:`OmittedArguments` is the HTTP edge of that rule: Gradio refuses a plain-HTTP
call (``POST /gradio_api/call/ask`` with ``{"data": [...]}``) that sends fewer values
than the function has parameters, with ``{"error": null}`` and a traceback in the log.
The middleware pads such a call with nulls, which the function reads as "the default",
and answers a call it cannot pass on (too many values; a keyword call, ``POST
/gradio_api/call/v2/ask``, without the question or with an unknown name) with a JSON
``{"error": ...}`` that says what is wrong, where Gradio would fail with a traceback.

Example:
    >>> args = ask_arguments("Who makes CLR 131?", None, None, "", "CLRB", None, max_k=20)
    >>> args.k, args.date_from, args.companies, args.include_boilerplate
    (5, '', ('CLRB',), True)
    >>> ask_arguments("trial", "abc", max_k=20)
    Traceback (most recent call last):
    ui.api.BadArgument: k must be a whole number from 1 to 20, not 'abc'
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.analysis import query_terms
from qa.filters import split_companies

__all__ = [
    "ASK",
    "AskArguments",
    "BadArgument",
    "Endpoint",
    "OmittedArguments",
    "ask_arguments",
    "checked_body",
]

DEFAULT_K = 5


@dataclass(frozen=True)
class Endpoint:
    """A named API endpoint's parameters in order; the first ``required`` have no default."""

    name: str
    parameters: tuple[str, ...]
    required: int = 1


# ``/ask`` as ``ui.app`` declares it
ASK = Endpoint(
    "ask", ("question", "k", "date_from", "date_to", "company", "include_boilerplate", "keyword")
)


class BadArgument(ValueError):
    """An argument of an API call that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class AskArguments:
    """The checked arguments of one ``/ask`` call."""

    question: str
    k: int
    date_from: str
    date_to: str
    companies: tuple[str, ...]
    include_boilerplate: bool
    keyword: bool = False


def _kind(value: object) -> str:
    """What a JSON value is, for a message ("a number", "an object", ...)."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def _question(value: object) -> str:
    if value is None:
        raise BadArgument("question is required")
    if not isinstance(value, str):
        raise BadArgument(f"question must be text, not {_kind(value)}")
    if not value.strip():
        raise BadArgument("question is empty: ask something about the releases")
    return value.strip()


def _k(value: object, max_k: int) -> int:
    rule = f"k must be a whole number from 1 to {max_k}"
    if value is None:
        return DEFAULT_K
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadArgument(f"{rule}, not {_kind(value)}")
    if not 1 <= value <= max_k:
        raise BadArgument(f"{rule}, not {value}")
    return value


def _date(name: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadArgument(
            f"{name} must be text such as 2016, 2016-03 or 2016-03-01, not {_kind(value)}"
        )
    return value


def _companies(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return split_companies(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise BadArgument(
        "company must be text (company names or tickers separated by commas) or a list "
        f"of them, not {_kind(value)}"
    )


def _flag(name: str, value: object, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadArgument(f"{name} must be true or false, not {_kind(value)}")
    return value


def ask_arguments(
    question: object,
    k: object = DEFAULT_K,
    date_from: object = "",
    date_to: object = "",
    company: object = "",
    include_boilerplate: object = True,
    keyword: object = False,
    *,
    max_k: int,
) -> AskArguments:
    """The arguments of an ``/ask`` call, checked (the dates are checked by the filters).

    Raises:
        BadArgument: the first argument that cannot be used, with what it should be.
    """
    return AskArguments(
        question=_question(question),
        k=_k(k, max_k),
        date_from=_date("date_from", date_from),
        date_to=_date("date_to", date_to),
        companies=_companies(company),
        include_boilerplate=_flag("include_boilerplate", include_boilerplate, True),
        keyword=_keyword(_flag("keyword", keyword, False), question),
    )


def _keyword(on: bool, question: object) -> bool:
    """``keyword`` (keyword search only), checked against the question it searches."""
    if on and isinstance(question, str) and not query_terms(question):
        raise BadArgument(
            "keyword search needs a word to search for: the question has only common "
            "words such as 'what' or 'the'"
        )
    return on


# -- the HTTP edge -------------------------------------------------------------------------------
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _positional(call: dict, endpoint: Endpoint) -> tuple[dict | None, str | None]:
    data = call.get("data")
    if not isinstance(data, list):
        return None, None  # not a call this knows: Gradio refuses it
    n = len(endpoint.parameters)
    if len(data) > n:
        names = ", ".join(endpoint.parameters)
        return None, f"{endpoint.name} takes at most {n} arguments ({names}), not {len(data)}"
    if len(data) == n:
        return None, None
    return {**call, "data": data + [None] * (n - len(data))}, None


def _keywords(call: dict, endpoint: Endpoint) -> str | None:
    unknown = sorted(set(call) - set(endpoint.parameters) - {"oauth_token"})
    if unknown:
        names = ", ".join(endpoint.parameters)
        return f"{endpoint.name} has no argument {unknown[0]!r} (its arguments: {names})"
    missing = [p for p in endpoint.parameters[: endpoint.required] if p not in call]
    return f"{missing[0]} is required" if missing else None


def checked_body(body: bytes, endpoint: Endpoint, *, keywords: bool) -> tuple[bytes, str | None]:
    """A call's JSON body as Gradio can run it, or why it cannot be run.

    A positional call (``{"data": [...]}``) gets its omitted trailing arguments as null;
    a keyword call (``keywords``: ``{"question": ...}``) is checked for unknown and
    missing names (Gradio fills in the defaults). Anything else is left to Gradio.

    >>> ask = Endpoint("ask", ("question", "k"))
    >>> checked_body(b'{"data": ["q"]}', ask, keywords=False)
    (b'{"data": ["q", null]}', None)
    >>> checked_body(b'{"data": ["q", 1, 2]}', ask, keywords=False)[1]
    'ask takes at most 2 arguments (question, k), not 3'
    >>> checked_body(b'{"k": 2}', ask, keywords=True)[1]
    'question is required'
    """
    try:
        call = json.loads(body)
    except ValueError:
        return body, None
    if not isinstance(call, dict):
        return body, None
    if keywords:
        return body, _keywords(call, endpoint)
    padded, error = _positional(call, endpoint)
    return (json.dumps(padded).encode() if padded is not None else body), error


class OmittedArguments:
    """ASGI middleware: plain-HTTP calls of ``endpoints`` checked by :func:`checked_body`.

    Positional calls (``POST /gradio_api/call/<name>``, ``/gradio_api/run/<name>``) may
    omit trailing arguments; a call that cannot be run is answered with status 422 and
    ``{"error": "..."}``.
    """

    def __init__(self, app: Callable, endpoints: Sequence[Endpoint]) -> None:
        self.app = app
        self.routes: dict[str, tuple[Endpoint, bool]] = {}
        for e in endpoints:
            for route, keywords in (("call", False), ("run", False), ("call/v2", True)):
                for slash in ("", "/"):
                    self.routes[f"/gradio_api/{route}/{e.name}{slash}"] = (e, keywords)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body, error = checked_body(b"".join(chunks), route[0], keywords=route[1])
        if error is not None:
            await _json_response(send, 422, {"error": error})
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": headers}, replay, send)


async def _json_response(send: Send, status: int, content: object) -> None:
    payload = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
