"""ui.login.LoginGuard: the login check and its throttle (a fake clock: no waiting)."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from ui.login import LoginGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _refused(guard: LoginGuard, user: str, password: str) -> str:
    with pytest.raises(HTTPException) as info:
        guard(user, password)
    assert info.value.status_code == 429 and "Retry-After" in info.value.headers
    return info.value.detail


def test_right_and_wrong_logins():
    guard = LoginGuard("desk", "s3cret", clock=Clock())
    assert guard("desk", "s3cret")
    assert not guard("desk", "s3cret ") and not guard("Desk", "s3cret") and not guard("", "")


def test_fifteen_wrong_passwords_in_a_row_are_slowed_down():
    clock = Clock()
    guard = LoginGuard("desk", "s3cret", clock=clock)
    assert [guard("desk", f"guess{n}") for n in range(5)] == [False] * 5  # free
    assert guard("desk", "guess5") is False  # the 6th failure: 1 s before the next try
    assert _refused(guard, "desk", "s3cret") == "Too many failed logins: try again in 1 s."
    waits = []
    for n in range(6, 15):
        clock.now += guard.lockout(guard.failures)
        assert guard("desk", f"guess{n}") is False
        waits.append(guard.lockout(guard.failures))
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300]  # doubling, capped at 5 minutes
    assert "try again in 300 s" in _refused(guard, "desk", "guess-more")
    assert guard.failures == 15  # refused attempts are not tried, so they do not count


def test_a_right_login_after_the_lockout_ends_the_run_of_failures():
    clock = Clock()
    guard = LoginGuard("desk", "s3cret", clock=clock)
    for n in range(7):
        clock.now += 600
        guard("desk", f"guess{n}")
    clock.now += 600
    assert guard("desk", "s3cret") and guard.failures == 0
    assert guard("desk", "wrong") is False and guard("desk", "s3cret")  # 1 failure is free


def test_the_login_script_is_added_to_the_page_only():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from ui.login import LOGIN_HEAD, LoginPage

    page = "<html><head><title></title></head><body>app</body></html>"
    routes = [
        Route("/", lambda request: HTMLResponse(page)),
        Route("/config", lambda request: JSONResponse({"head": "</head>"})),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(LoginPage)])
    with TestClient(app) as client:
        r = client.get("/")
        assert r.text == page.replace("</head>", LOGIN_HEAD + "</head>")
        assert int(r.headers["content-length"]) == len(r.content)
        assert "Sign in to Pressroom" in r.text
        assert client.get("/config").json() == {"head": "</head>"}  # not a page: untouched
