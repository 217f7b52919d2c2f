"""A batch's login and request settings, as the lab engine applies them to each page.

:class:`LabAuth` holds the checked options (see :mod:`psdata._auth`) and says what a
page's fresh context is opened with (:meth:`LabAuth.context_options`: cookies, extra
headers, HTTP credentials), what its page gets before navigation (:meth:`LabAuth.
page_scripts`, :meth:`LabAuth.page_commands`: localStorage, blocked requests, as
Lighthouse sends ``Network.setBlockedURLs``), and what its final URL and status mean
(:meth:`LabAuth.page_problem`).

localStorage is written by an init script in each new document of its origin, before
the page's own scripts, rather than by Playwright's ``storage_state`` option: that one
opens, navigates and closes an extra page in every fresh context (measured: 270-510 ms
per context instead of 20-60 ms, and a renderer that starts while other pages are
traced). Origins with IndexedDB data are left to Playwright, which alone restores it.

>>> from psdata.engines.lab.emulation import profile_for
>>> auth = LabAuth(host_cookies=({"name": "sid", "value": "abc"},), blocked=("*ads*",))
>>> auth.context_options(profile_for("mobile"), "https://a.example/x")["storage_state"]
{'cookies': [{'name': 'sid', 'value': 'abc', 'url': 'https://a.example/'}], 'origins': []}
>>> auth.page_commands()
[('Network.setBlockedURLs', {'urls': ['*ads*']})]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..._auth import Login, another_path, blocks, cookies_for_host, is_login_page
from ..._request import Request
from ..._secrets import Secrets
from .emulation import Profile

#: Sets an origin's localStorage items the page does not have yet (see the module).
LOCAL_STORAGE_JS = """(() => {
  const items = %s[location.origin];
  if (!items) return;
  try {
    for (const [name, value] of items) {
      if (localStorage.getItem(name) === null) localStorage.setItem(name, value);
    }
  } catch (error) {}
})();"""

Cookie = dict[str, Any]


@dataclass(frozen=True)
class LabAuth:
    """The checked login and request options of one batch (see the module docstring)."""

    #: Cookies for every context (the storage state's, ``cookies=`` dicts with a url or
    #: domain, and after ``login=`` the session it left).
    cookies: tuple[Cookie, ...] = ()
    #: ``cookies=`` with a name and a value only: set for each page's own host.
    host_cookies: tuple[Cookie, ...] = ()
    #: localStorage items by origin, written by :data:`LOCAL_STORAGE_JS`.
    local_storage: Mapping[str, tuple[tuple[str, str], ...]] = dataclasses.field(
        default_factory=dict
    )
    #: Storage-state origins with IndexedDB data, restored by Playwright.
    restored_origins: tuple[dict[str, Any], ...] = ()
    headers: Mapping[str, str] | None = None
    credentials: Mapping[str, str] | None = None
    blocked: tuple[str, ...] = ()
    login_url: tuple[str, ...] = ()
    login: Login | None = None

    @classmethod
    def from_request(cls, request: Request) -> LabAuth:
        """The batch's settings from its checked options."""
        options: dict[str, Any] = dict(request.options)
        given: tuple[Cookie, ...] = options["cookies"] or ()
        placed = tuple(c for c in given if "url" in c or "domain" in c)
        auth = cls(
            host_cookies=tuple(c for c in given if c not in placed),
            headers=options["headers"],
            credentials=options["http_credentials"],
            blocked=options["blocked_url_patterns"] or (),
            login_url=options["login_url"] or (),
            login=options["login"],
        )
        state = options["storage_state"] or {}
        return auth.with_state({**state, "cookies": [*state.get("cookies", ()), *placed]})

    def with_state(self, state: Mapping[str, Any]) -> LabAuth:
        """These settings with the cookies and storage of a Playwright storage *state*.

        >>> state = {"cookies": [], "origins": [{"origin": "https://a.example",
        ...          "localStorage": [{"name": "token", "value": "t"}]}]}
        >>> dict(LabAuth().with_state(state).local_storage)
        {'https://a.example': (('token', 't'),)}
        """
        origins = list(state.get("origins", ()))
        restored = tuple(o for o in origins if o.get("indexedDB"))
        local = {
            o["origin"]: tuple((i["name"], i["value"]) for i in o.get("localStorage", ()))
            for o in origins
            if o not in restored and o.get("localStorage")
        }
        cookies = tuple(dict(c) for c in state.get("cookies", ()))
        return dataclasses.replace(
            self, cookies=cookies, local_storage=local, restored_origins=restored
        )

    def after_login(self, state: Mapping[str, Any]) -> LabAuth:
        """These settings with the session a login left in its context (its storage *state*).

        The state's cookies are all the context had (the given ones too); its localStorage
        goes over the given, origin by origin, so an origin the login never visited keeps
        its items.

        >>> given = LabAuth(local_storage={"https://b.example": (("theme", "dark"),)})
        >>> state = {"cookies": [{"name": "sid", "value": "s", "domain": "a.example",
        ...          "path": "/"}], "origins": [{"origin": "https://a.example",
        ...          "localStorage": [{"name": "token", "value": "t"}]}]}
        >>> sorted(given.after_login(state).local_storage)
        ['https://a.example', 'https://b.example']
        """
        logged = self.with_state(state)
        restored = {origin["origin"] for origin in self.restored_origins}
        captured = {o: items for o, items in logged.local_storage.items() if o not in restored}
        return dataclasses.replace(
            logged,
            local_storage={**self.local_storage, **captured},
            restored_origins=self.restored_origins,
        )

    @property
    def active(self) -> bool:
        """Whether the pages are measured with a session, credentials or extra headers."""
        return bool(
            self.cookies or self.host_cookies or self.local_storage or self.restored_origins
            or self.headers or self.credentials or self.login
        )  # fmt: skip

    def context_options(self, profile: Profile, url: str | None) -> dict[str, Any]:
        """Playwright ``new_context`` keywords for a page of *url* (``None``: the login page).

        The device's options (:meth:`Profile.context_options`) and the batch's cookies,
        headers and credentials: what every fresh context is opened with, in one place.
        """
        options = profile.context_options()
        cookies = [*self.cookies, *(cookies_for_host(self.host_cookies, url) if url else ())]
        if cookies or self.restored_origins:
            options["storage_state"] = {"cookies": cookies, "origins": list(self.restored_origins)}
        if self.headers:
            options["extra_http_headers"] = dict(self.headers)
        if self.credentials:
            options["http_credentials"] = dict(self.credentials)
            if url is not None and "origin" not in self.credentials:
                parts = urlsplit(url)
                options["http_credentials"]["origin"] = f"{parts.scheme}://{parts.netloc}"
        return options

    def page_scripts(self) -> list[str]:
        """Init scripts for every page: the localStorage items, if any."""
        if not self.local_storage:
            return []
        items = {origin: [list(i) for i in pairs] for origin, pairs in self.local_storage.items()}
        return [LOCAL_STORAGE_JS % json.dumps(items)]

    def page_commands(self) -> list[tuple[str, dict[str, Any]]]:
        """CDP commands for a measured page's session: its blocked requests, as Lighthouse."""
        return [("Network.setBlockedURLs", {"urls": list(self.blocked)})] if self.blocked else []

    def blocking(self, url: str) -> str | None:
        """The blocked-URL pattern that blocks *url* itself, if one does."""
        return next((pattern for pattern in self.blocked if blocks(pattern, url)), None)

    def page_problem(
        self, requested: str, final: str | None, status: int | None
    ) -> tuple[str | None, str | None]:
        """What a page's final URL and status say about the session: an error, a warning.

        >>> auth = LabAuth(login_url=("/login",))
        >>> auth.page_problem("https://a.example/cart", "https://a.example/login?next=/cart", 200)
        ('The page ended on the login page (https://a.example/login?next=/cart): the \
session was not accepted; log in again (login=) or save a new storage_state.', None)
        """
        if final is None:
            return None, None
        if self.login_url and is_login_page(self.login_url, final):
            return (
                f"The page ended on the login page ({final}): the session was not accepted;"
                " log in again (login=) or save a new storage_state.",
                None,
            )
        if status == 401 and self.active:
            given = "credentials given were" if self.credentials else "session given was"
            return (
                f"The page answered HTTP 401 (Unauthorized): the {given} not accepted"
                " (wrong user or password, expired, or meant for another origin).",
                None,
            )
        if self.active and not self.login_url and another_path(requested, final):
            return None, (
                f"Logged in, the page was redirected to another path ({final}): if that is"
                " a login page the session was not accepted; login_url= makes such pages"
                " auth errors."
            )
        return None, None

    def secrets(self) -> Secrets:
        """The values to keep out of rows, stores and messages (see :mod:`psdata._secrets`)."""
        values = [c["value"] for c in (*self.cookies, *self.host_cookies)]
        values += [value for items in self.local_storage.values() for _, value in items]
        values += [
            item["value"] for o in self.restored_origins for item in o.get("localStorage", ())
        ]
        values += list((self.headers or {}).values())
        values += [self.credentials["password"]] if self.credentials else []
        return Secrets.of(values, headers=self.headers or ())


#: No login, no extra cookies, headers or blocked requests.
NO_AUTH = LabAuth()
