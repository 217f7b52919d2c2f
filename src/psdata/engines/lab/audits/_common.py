"""What the category audits share: the page evidence they judge, and bounded evaluation."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page

from ..evidence import NetworkRequest


async def evaluate(page: Page, expression: str, arg: Any = None, *, within: float) -> Any:
    """``page.evaluate`` bounded by ``within`` seconds (raises :class:`TimeoutError`).

    >>> await evaluate(page, "document.title", within=2.0)  # doctest: +SKIP
    'Example'
    """
    return await asyncio.wait_for(page.evaluate(expression, arg), within)


@dataclass
class PageEvidence:
    """What the best-practices and SEO audits judge, gathered once per page."""

    url: str  # the page's final URL
    facts: dict[str, Any] | None  # from page_facts.collect_page_facts; None if it failed
    facts_error: str | None = None
    requests: Sequence[NetworkRequest] = ()
    main_document: NetworkRequest | None = None
    console_errors: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # CDP Audits.InspectorIssue
    html_start: str | None = None  # the main document's first 1024 characters, if readable
    #: Large first-party scripts: url, bytes, source map URL or None (None: not checked).
    large_scripts: list[dict[str, Any]] | None = None
