"""HTTP ``Link`` response headers (RFC 8288) as the link elements Lighthouse reads.

Lighthouse adds the main document's ``Link`` header entries (one header value
per line of the CDP headers) to the page's ``<link>`` elements (source ``headers``),
so ``Link: <https://a.test/>; rel=canonical`` counts for the ``canonical`` audit as a
``<link rel=canonical>`` in the head does. A header that cannot be parsed gives no
links (Lighthouse warns and goes on).
"""

from __future__ import annotations

import re

_FOLD = re.compile(r"\r?\n[ \t]+")
_DELIMITERS = ';,"'
_NAME = re.compile(r'[^=;,"]+')


class LinkHeaderError(ValueError):
    """A ``Link`` header value that does not parse."""


def parse_link_header(value: str) -> list[dict[str, str]]:
    """The entries of one ``Link`` header value: ``uri`` and lower-case parameters.

    A ``rel`` of several space-separated types gives one entry per type; a parameter
    given twice keeps its first value. Raises :class:`LinkHeaderError` on malformed
    input.

    >>> parse_link_header('<https://a.test/doc>; rel="canonical", </b.css>; rel=preload; as=x')
    [{'uri': 'https://a.test/doc', 'rel': 'canonical'}, {'uri': '/b.css', 'rel': 'preload', \
'as': 'x'}]
    >>> [e["rel"] for e in parse_link_header('<https://a.test/>; rel="canonical alternate"')]
    ['canonical', 'alternate']
    """
    text = _FOLD.sub("", value.strip())
    entries: list[dict[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        if text[pos].isspace() or text[pos] == ",":
            pos += 1
            continue
        if text[pos] != "<":
            raise LinkHeaderError(f"unexpected {text[pos]!r} at offset {pos}")
        close = text.find(">", pos)
        if close < 0:
            raise LinkHeaderError(f"no '>' after the '<' at offset {pos}")
        entry = {"uri": text[pos + 1 : close]}
        pos = close + 1
        while pos < end and text[pos].isspace():
            pos += 1
        if pos < end and text[pos] not in ";,":
            raise LinkHeaderError(f"unexpected {text[pos]!r} at offset {pos}")
        while pos < end and text[pos] != ",":
            if text[pos].isspace() or text[pos] == ";":
                pos += 1
                continue
            match = _NAME.match(text, pos)
            name = match.group(0).strip().lower() if match else ""
            pos = match.end() if match else pos
            param = ""
            if pos < end and text[pos] == "=":
                pos += 1
                while pos < end and text[pos].isspace():
                    pos += 1
                param, pos = _param_value(text, pos)
            elif not name:
                raise LinkHeaderError(f"unexpected {text[pos]!r} at offset {pos}")
            if name and name not in entry:
                entry[name] = param
        entries.extend(_expand(entry))
    return entries


def _param_value(text: str, pos: int) -> tuple[str, int]:
    """A parameter's value at *pos* (quoted or a token) and the offset after it."""
    if pos < len(text) and text[pos] == '"':
        out = []
        pos += 1
        while pos < len(text) and text[pos] != '"':
            if text[pos] == "\\" and pos + 1 < len(text):
                pos += 1
            out.append(text[pos])
            pos += 1
        return "".join(out), pos + 1
    start = pos
    while pos < len(text) and text[pos] not in _DELIMITERS:
        pos += 1
    return text[start:pos].strip(), pos


def _expand(entry: dict[str, str]) -> list[dict[str, str]]:
    rels = entry.get("rel", "").split()
    if len(rels) <= 1:
        return [entry]
    return [{**entry, "rel": rel} for rel in rels]
