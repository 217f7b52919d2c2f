"""Running ``login=`` once per batch: its page is not measured, its session is every page's.

:func:`log_in` opens a context of the batch's (cookies, headers, credentials, a blank
page), awaits the caller's ``login(page)`` within the batch's ``timeout``, and keeps the
storage state it leaves (cookies and localStorage). Every measured context is opened
with that state, in whichever browser it runs, so a relaunched browser needs no new
login. On a dask cluster the function comes wrapped in a :class:`~psdata._auth.
SharedLogin`: the partitions a worker process measures share one login.

A login that raises, times out or leaves the browser on ``login_url`` raises
:class:`~psdata.LoginError` before any page is measured.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from ..._auth import Login, SharedLogin, is_login_page
from ..._deadline import deadline
from ..._errors import AnalysisError, LoginError
from ..._secrets import Secrets
from .auth import LabAuth
from .emulation import Profile
from .pool import ContextPool, ContextSlot

State = dict[str, Any]
#: The sessions of dask computations this process has logged in to, by token (newest last).
_SHARED: dict[str, asyncio.Future[State]] = {}
#: How many of them are kept.
SHARED_KEPT = 8


async def log_in(pool: ContextPool, auth: LabAuth, profile: Profile, timeout: float) -> LabAuth:
    """*auth* with the session ``auth.login`` leaves; *auth* itself without a login.

    >>> auth = await log_in(pool, auth, profile_for("mobile"), 120.0)  # doctest: +SKIP
    """
    login = auth.login
    if login is None:
        return auth

    def capture() -> Awaitable[State]:
        return _capture(pool, login, auth, profile, timeout)

    state = await (_shared(login.token, capture) if isinstance(login, SharedLogin) else capture())
    return auth.after_login(state)


async def _capture(
    pool: ContextPool, login: Login, auth: LabAuth, profile: Profile, timeout: float
) -> State:
    """Run *login* in a context of its own; return the storage state it leaves."""
    secrets = auth.secrets()
    try:
        slot = await pool.get_instance(auth.context_options(profile, None))
    except AnalysisError as exc:  # the browser would not open a context
        raise LoginError(f"login= could not start, so no page was measured: {exc}") from exc
    try:
        async with deadline(timeout):
            return await slot.guard(_run(slot, login, auth, secrets))
    except TimeoutError:
        raise LoginError(
            f"login= did not finish within the {timeout:g} s timeout; no page was measured."
        ) from None
    except LoginError:
        raise
    except Exception as exc:
        message = secrets.text(f"{type(exc).__name__}: {exc}")
        raise LoginError(f"login= failed, so no page was measured: {message}") from exc
    finally:
        await pool.return_instance(slot)


async def _run(slot: ContextSlot, login: Login, auth: LabAuth, secrets: Secrets) -> State:
    page = await slot.new_page()
    for script in auth.page_scripts():
        await page.add_init_script(script)
    outcome = login(page)
    if not inspect.isawaitable(outcome):
        raise LoginError("login= must be an async function: async def login(page): ...")
    await outcome
    if auth.login_url and is_login_page(auth.login_url, page.url):
        raise LoginError(
            f"After login= the page is still the login page ({secrets.text(page.url)}): check"
            " the user name and password; no page was measured."
        )
    state: State = dict(await page.context.storage_state())
    return state


async def _shared(token: str, capture: Callable[[], Awaitable[State]]) -> State:
    """The session of the dask computation *token*: captured once in this process."""
    loop = asyncio.get_running_loop()
    future = _SHARED.get(token)
    if future is not None and future.get_loop() is loop:
        return await asyncio.shield(future)
    future = _SHARED[token] = loop.create_future()
    while len(_SHARED) > SHARED_KEPT:
        _SHARED.pop(next(iter(_SHARED)))
    try:
        future.set_result(await capture())
    except Exception as exc:  # the partitions waiting for it fail with it
        _SHARED.pop(token, None)
        future.set_exception(exc)
        future.exception()  # retrieved: no warning when none is waiting
        raise
    except BaseException:
        _SHARED.pop(token, None)
        future.cancel()
        raise
    return future.result()
