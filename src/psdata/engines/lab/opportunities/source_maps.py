"""The page's scripts' source maps, reduced to the modules each bundle lists.

Lighthouse's ``duplicated-javascript`` reads every script's source map: a module (a
``sources`` entry, node_modules paths cut to what follows the last ``node_modules``,
webpack's bootstrap and external shims left out) that appears twice, in one bundle or
two, is a duplicate; its wasted bytes are those its copies take in the generated code.
psdata fetches the maps as Lighthouse's ``SourceMaps`` gatherer does (the script's
``sourceMappingURL`` comment or its ``SourceMap`` header, resolved against the script's
URL; ``data:`` URLs decoded) and keeps their ``sources``: a page whose maps list no
module twice has nothing to report, as in Lighthouse. Sizing duplicated modules needs
the maps' mappings, which psdata does not decode (the audit is then undecided).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin

from playwright.async_api import Page

from ..audit_results import describe
from ..evidence import NetworkRequest
from .evidence import OpportunityEvidence

#: Source maps fetched per page, and the largest read (bytes).
MAX_MAPS = 40
MAX_MAP_BYTES = 16 * 1024 * 1024


def map_url(evidence: OpportunityEvidence, request: NetworkRequest) -> str | None:
    """The absolute URL of *request*'s source map, or ``None`` when it names none.

    >>> from psdata.engines.lab.evidence import NetworkRequest
    >>> from psdata.engines.lab.opportunities.evidence import BodyFacts
    >>> script = NetworkRequest("1", "https://a.test/js/app.js", "Script")
    >>> page = OpportunityEvidence("https://a.test/", requests=[script],
    ...     bodies={"1": BodyFacts(10, source_map="app.js.map")})
    >>> map_url(page, script)
    'https://a.test/js/app.js.map'
    """
    body = evidence.bodies.get(request.request_id)
    named = (body.source_map if body else None) or request.response_headers.get(
        "sourcemap", request.response_headers.get("x-sourcemap")
    )
    return urljoin(request.url, named) if named else None


def normalize_source(source: str) -> str | None:
    """A map's ``sources`` entry as Lighthouse's module duplication names it, or
    ``None`` for bundle overhead it ignores.

    >>> normalize_source("webpack:///./node_modules/lodash/lodash.js?")
    'node_modules/lodash/lodash.js'
    >>> normalize_source("webpack/bootstrap") is None
    True
    """
    if "webpack/bootstrap" in source or "(webpack)/buildin" in source or "external " in source:
        return None
    source = source.removesuffix("?")
    at = source.rfind("node_modules")
    return source[at:] if at != -1 else source


def duplicated_modules(sources_by_map: dict[str, list[str]]) -> list[str]:
    """Modules listed more than once over all the maps (within one or across several).

    >>> duplicated_modules({"a.js.map": ["src/a.js", "node_modules/x/i.js"],
    ...                     "b.js.map": ["lib/node_modules/x/i.js"]})
    ['node_modules/x/i.js']
    """
    counts = Counter(
        name
        for sources in sources_by_map.values()
        for name in map(normalize_source, sources)
        if name is not None
    )
    return sorted(name for name, count in counts.items() if count > 1)


def _sources(text: str | bytes) -> list[str]:
    raw = json.loads(text)
    sources = raw.get("sources") if isinstance(raw, dict) else None
    if not isinstance(sources, list):
        raise ValueError("the source map has no sources")
    root = str(raw.get("sourceRoot") or "")
    return [root + str(s) for s in sources if s is not None]


async def _fetch_sources(page: Page, url: str, timeout_s: float) -> list[str]:
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        encoded = header.endswith(";base64")
        return _sources(base64.b64decode(payload) if encoded else unquote_to_bytes(payload))
    response = await page.request.get(url, timeout=timeout_s * 1000, max_redirects=5)
    if not response.ok:
        raise ValueError(f"HTTP {response.status}")
    body = await response.body()
    if len(body) > MAX_MAP_BYTES:
        raise ValueError(f"the source map is over {MAX_MAP_BYTES} bytes")
    return _sources(body)


async def collect_source_maps(page: Page, evidence: OpportunityEvidence, timeout_s: float) -> None:
    """Fetch the source maps the page's scripts name into ``evidence.source_maps``
    (map URL → its ``sources``) and ``evidence.unread_source_maps`` (map URL → why not)."""
    wanted: dict[str, None] = {}
    for request in evidence.requests:
        if request.resource_type == "Script" and (url := map_url(evidence, request)):
            wanted.setdefault(url)
    urls = list(wanted)[:MAX_MAPS]
    found: list[Any] = await asyncio.gather(
        *(asyncio.wait_for(_fetch_sources(page, u, timeout_s), timeout_s) for u in urls),
        return_exceptions=True,
    )
    for url, sources in zip(urls, found, strict=True):
        if isinstance(sources, list):
            evidence.source_maps[url] = sources
        else:
            evidence.unread_source_maps[url] = describe(sources)
