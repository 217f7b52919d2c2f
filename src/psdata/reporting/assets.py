"""Lighthouse's own report renderer and the facts taken from Lighthouse, as vendored.

``vendor/`` holds files of the npm package ``lighthouse`` 12.2.3 (Apache-2.0), copied
by ``scripts/vendor_lighthouse_report.sh`` (see ``vendor/README.md``): the built report
renderer (``standalone.js``) with the page Lighthouse fills in around it
(``standalone-template.html``), and ``lighthouse-facts.json``, what psdata's reports take
from the same package (categories, groups, audit strings, presets).
"""

from __future__ import annotations

import html
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).parent / "vendor"


@cache
def lighthouse_facts() -> dict[str, Any]:
    """Lighthouse 12.2.3's default categories, groups, audit strings and presets.

    >>> facts = lighthouse_facts()
    >>> facts["lighthouseVersion"], facts["categories"]["seo"]["title"]
    ('12.2.3', 'SEO')
    """
    facts: dict[str, Any] = json.loads((VENDOR / "lighthouse-facts.json").read_text("utf-8"))
    return facts


@cache
def renderer_script() -> str:
    """The built report renderer, as Lighthouse inlines it (``</`` escaped).

    >>> "__initLighthouseReport__" in renderer_script()
    True
    """
    return (VENDOR / "standalone.js").read_text("utf-8").replace("</", "\\u003c/")


@cache
def report_template() -> str:
    """The report page with its ``%%LIGHTHOUSE_JSON%%`` and ``%%LIGHTHOUSE_JAVASCRIPT%%`` slots.

    >>> "%%LIGHTHOUSE_JSON%%" in report_template()
    True
    """
    return (VENDOR / "standalone-template.html").read_text("utf-8")


def script_json(value: Any) -> str:
    """*value* as JSON safe inside ``<script>`` (Lighthouse's ``sanitizeJson``).

    Non-finite numbers, which JSON cannot hold, become ``null``.

    >>> script_json({"a": "</script>", "b": float("nan")})
    '{"a":"\\\\u003c/script>","b":null}'
    """
    text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def standalone_html(lhr: dict[str, Any]) -> str:
    """Lighthouse's standalone HTML report of *lhr*, as ``ReportGenerator.generateReportHtml``
    writes it: the template with the report JSON and the renderer inlined.

    >>> page = standalone_html(lighthouse_facts() | {"audits": {}})
    >>> page.startswith("<!--"), "__LIGHTHOUSE_JSON__ = {" in page
    (True, True)
    """
    replacements = {
        "%%LIGHTHOUSE_JSON%%": script_json(lhr),
        "%%LIGHTHOUSE_JAVASCRIPT%%": renderer_script(),
    }
    first, second = replacements
    return replacements[first].join(
        part.replace(second, replacements[second]) for part in report_template().split(first)
    )


def report_frame(lhr: dict[str, Any], *, height: int = 800) -> str:
    """An ``<iframe>`` showing *lhr*'s Lighthouse report, for a notebook cell.

    >>> report_frame({"audits": {}}, height=600)[:40]
    '<iframe title="Lighthouse report" style='
    """
    return (
        f'<iframe title="Lighthouse report" style="width: 100%; height: {height}px;'
        f' border: 1px solid #ccc" srcdoc="{html.escape(standalone_html(lhr), quote=True)}">'
        "</iframe>"
    )
