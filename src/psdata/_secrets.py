"""Keeping a batch's secrets out of what psdata returns, stores and logs.

A :class:`Secrets` knows the values to hide (cookie, header and localStorage values, a
password) and the headers whose values are hidden wherever they appear (``Cookie``,
``Set-Cookie``, ``Authorization``, ``Proxy-Authorization`` and the caller's own extra
headers). The lab engine passes each record of an authenticated batch through
:meth:`Secrets.record` before it is returned or stored, and each error through
:meth:`Secrets.error`.

Values shorter than :data:`MIN_CHARS` are not searched for in free text: flags such as
``1`` or ``en`` would match ordinary text, and a header or cookie is hidden by its name
whatever its length.

>>> secrets = Secrets.of(["tok-1234567890"], headers=["X-Api-Key"])
>>> secrets.text("https://a.example/?t=tok-1234567890")
'https://a.example/?t=[redacted]'
>>> secrets.data({"headers": {"x-api-key": "k", "Cookie": "sid=1", "Accept": "*/*"}})
{'headers': {'x-api-key': '[redacted]', 'Cookie': '[redacted]', 'Accept': '*/*'}}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._errors import AnalysisError

REDACTED = "[redacted]"
#: The shortest value searched for in free text.
MIN_CHARS = 8
#: Headers that carry credentials: their values are always hidden.
CREDENTIAL_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization"})
#: CDP fields holding raw header lines, and a ``Set-Cookie`` line.
_RAW_HEADERS = frozenset({"headersText", "requestHeadersText"})
_COOKIE_LINE = "cookieLine"


@dataclass(frozen=True)
class Secrets:
    """Values and header names to hide (see the module docstring)."""

    #: The values searched for, longest first.
    values: tuple[str, ...] = ()
    #: Lower-case header names whose values are hidden.
    headers: frozenset[str] = CREDENTIAL_HEADERS

    @classmethod
    def of(cls, values: Iterable[str], headers: Iterable[str] = ()) -> Secrets:
        """The secrets of a batch: its *values*, and the names of its extra *headers*."""
        kept = sorted({v for v in values if len(v) >= MIN_CHARS}, key=len, reverse=True)
        return cls(tuple(kept), CREDENTIAL_HEADERS | {name.lower() for name in headers})

    def text(self, text: str) -> str:
        """*text* with every secret value replaced by ``[redacted]``."""
        for value in self.values:
            text = text.replace(value, REDACTED)
        return text

    def data(self, value: Any) -> Any:
        """JSON-like *value* with secret values, credential headers and cookies hidden.

        >>> Secrets().data([{"name": "sid", "value": "1", "domain": "a.example"}])
        [{'name': 'sid', 'value': '[redacted]', 'domain': 'a.example'}]
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        if not isinstance(value, dict):
            return value
        cookie = {"name", "value", "domain"} <= value.keys()  # a CDP or Playwright cookie
        hidden = {}
        for key, item in value.items():
            if isinstance(item, str) and (
                key.lower() in self.headers or key == _COOKIE_LINE or (cookie and key == "value")
            ):
                hidden[key] = REDACTED
            elif isinstance(item, str) and key in _RAW_HEADERS:
                hidden[key] = self._header_lines(item)
            else:
                hidden[key] = self.data(item)
        return hidden

    def _header_lines(self, text: str) -> str:
        """Raw header lines with the values of the hidden headers replaced."""
        names = "|".join(re.escape(name) for name in sorted(self.headers))
        pattern = re.compile(rf"^({names})(\s*:).*$", re.IGNORECASE | re.MULTILINE)
        return self.text(pattern.sub(lambda m: f"{m[1]}{m[2]} {REDACTED}", text))

    def found_in(self, value: Any) -> bool:
        """Whether a secret value occurs anywhere in JSON-like *value* (one fast pass)."""
        if not self.values:
            return False
        text = json.dumps(value, default=str, ensure_ascii=False)
        return any(json.dumps(v, ensure_ascii=False)[1:-1] in text for v in self.values)

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A lab record (row and ``details``) with its secrets hidden.

        The network data (``devtools_log``, ``requests``: headers, cookies, URLs) is
        always walked; the rest (the trace can be megabytes) only when a secret value
        occurs in it.
        """
        details = dict(record.get("details") or {})
        network = {key: details.pop(key) for key in ("devtools_log", "requests") if key in details}
        rest = {**record, "details": details}
        if self.found_in(rest):
            rest = self.data(rest)
        rest["details"] = {**rest["details"], **self.data(network)}
        return rest

    def error(self, error: AnalysisError) -> None:
        """Hide the secrets of *error*'s message and partial row, in place."""
        error.args = (self.text(str(error)),)
        error.partial = self.data(error.partial)
