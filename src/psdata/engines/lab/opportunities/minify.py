"""How small a script or style sheet would be minified: its length without whitespace
and comments (strings, regular expressions and ``/*!`` licence comments are kept).

The same estimate as Lighthouse's unminified-css / unminified-javascript audits make,
written as one regular-expression scan so that a megabyte of code takes milliseconds.
"""

from __future__ import annotations

import re

# One token class per alternative, tried in this order at each position.
_JS_TOKEN = re.compile(
    r"""
    (?P<licence>/\*!.*?\*/)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)
  | (?P<space>[ \t\n\r]+)
  | (?P<slash>/)
  | (?P<code>[^/"'`\s]+|\s)
    """,
    re.DOTALL | re.VERBOSE,
)
_CSS_TOKEN = re.compile(
    r"""
    (?P<licence>/\*!.*?\*/)
  | (?P<comment>/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<space>[ \t\n\r]+)
  | (?P<code>[^/"'\s]+|.)
    """,
    re.DOTALL | re.VERBOSE,
)
_REGEX_BODY = re.compile(r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\[\n])+/[a-z]*")
#: After one of these a ``/`` starts a regular expression, not a division.
_PUNCTUATOR_END = re.compile(r"(?:return|case|else|[{(\[;,<>=+\-*%&|^!~?:}])$")


def token_length(content: str, *, css: bool = False) -> int:
    """Characters left once whitespace and comments are dropped.

    Content that ends inside a comment or string is counted whole (it would be ignored
    by the audits, as in Lighthouse).

    >>> token_length("var  a = 1; // one\\n")
    7
    >>> token_length("a { color : red }  /* x */", css=True)
    12
    >>> token_length("x = /a b/g;")  # the space inside the regular expression counts
    9
    """
    pattern = _CSS_TOKEN if css else _JS_TOKEN
    total = 0
    position = 0
    end = len(content)
    last_code = ""
    while position < end:
        match = pattern.match(content, position)
        if match is None:  # an unterminated comment or string
            return end
        kind = match.lastgroup
        text = match.group()
        if kind == "slash":
            before = last_code[-6:]
            if not before or _PUNCTUATOR_END.search(before):
                body = _REGEX_BODY.match(content, match.end())
                if body is not None:
                    total += 1 + len(body.group())
                    last_code = "a"
                    position = body.end()
                    continue
            total += 1
            last_code = "/"
        elif kind in ("code", "string", "licence"):
            total += len(text)
            last_code = text if kind == "code" else "a"
        position = match.end()
    return total
