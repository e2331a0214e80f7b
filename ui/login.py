"""The login: one user and password, failed attempts throttled, a branded page.

:class:`LoginGuard` is the check Gradio calls with each login attempt. After
``free_failures`` failures in a row, further attempts are refused without looking at the
password for a lockout that doubles with each failure (1 s, 2 s, 4 s, ... up to 5 minutes),
with status 429 and how long to wait; a success ends the run of failures. Gradio calls the
check inside its event loop, so it never sleeps: a wait would stall every user.
The count is for the whole app, not per address (Gradio does not pass the address): a
desk's one login is what is being guessed.

:class:`LoginPage` brands Gradio's login page (title, the product's name), keeps the
username typed when a password was wrong and says how long a throttled login waits: it
adds ``login.js`` to the page's ``<head>`` (Gradio's ``head=`` does not reach that page).

Example:
    >>> guard = LoginGuard("desk", "s3cret", clock=lambda: 0.0)
    >>> guard("desk", "wrong"), guard("desk", "s3cret")
    (False, True)
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import HTTPException

__all__ = ["AUTH_MESSAGE", "LOGIN_HEAD", "LoginGuard", "LoginPage"]

AUTH_MESSAGE = (
    "<b>Pressroom</b>: search the press releases and get answers you can cite. "
    "Sign in with the login you were given."
)
LOGIN_HEAD = "<script>\n" + Path(__file__).with_name("login.js").read_text("utf-8") + "</script>"


class LoginGuard:
    """Checks a login against one user and password and throttles failures (thread-safe)."""

    def __init__(
        self,
        user: str,
        password: str,
        *,
        free_failures: int = 5,
        first_lockout: float = 1.0,
        max_lockout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user = user.encode()
        self._password = password.encode()
        self._free = free_failures
        self._first = first_lockout
        self._max = max_lockout
        self._clock = clock
        self._lock = threading.Lock()
        self.failures = 0  # in a row
        self._locked_until = 0.0

    def lockout(self, failures: int) -> float:
        """Seconds refused after the ``failures``-th failure in a row (0: none yet).

        >>> [LoginGuard("u", "p").lockout(n) for n in (5, 6, 7, 8, 20)]
        [0.0, 1.0, 2.0, 4.0, 300.0]
        """
        beyond = failures - self._free
        return 0.0 if beyond <= 0 else min(self._first * 2 ** (beyond - 1), self._max)

    def __call__(self, username: str, password: str) -> bool:
        """Whether the login is right. Raises HTTPException (429) while locked out."""
        with self._lock:
            now = self._clock()
            wait = self._locked_until - now
            if wait > 0:
                raise HTTPException(
                    status_code=429,
                    detail=f"Too many failed logins: try again in {max(1, round(wait))} s.",
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
            right = hmac.compare_digest(username.encode(), self._user) & hmac.compare_digest(
                password.encode(), self._password
            )
            if right:
                self.failures = 0
                return True
            self.failures += 1
            self._locked_until = now + self.lockout(self.failures)
            return False


Message = dict[str, Any]


class LoginPage:
    """ASGI middleware: the app's page (``GET /``) gets :data:`LOGIN_HEAD` in its head."""

    def __init__(self, app: Callable, head: str = LOGIN_HEAD) -> None:
        self.app = app
        self.head = head.encode()

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            await self.app(scope, receive, send)
            return
        start: Message | None = None  # the response's start, held while its page is read
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if b"text/html" in content_type:
                    start = message
                    return
            if start is None:  # not a page: passed on as it comes
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks).replace(b"</head>", self.head + b"</head>", 1)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
