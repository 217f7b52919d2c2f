"""Lighthouse CI's assertion presets, as data: ``lighthouse:all``, ``:recommended``, ``:no-pwa``.

The tables are those of Lighthouse CI 0.14.0 (``@lhci/utils``, Apache-2.0), the release
built for Lighthouse 12.1, whose audits are Lighthouse 12.2.3's. Each entry is written
in Lighthouse CI's own shape (``[level, options]``, or a bare level), because a user's
assertions are merged into a preset entry by entry the way Lighthouse CI merges them
(:func:`psdata.analysis.lhci_config.merge`).

>>> PRESETS["lighthouse:recommended"]["unused-javascript"]
['error', {'maxLength': 0}]
>>> PRESETS["lighthouse:no-pwa"]["is-on-https"]
'off'
"""

from __future__ import annotations

from typing import Any

#: The version whose presets these are; ``tests/lhci`` runs the same version.
LHCI_VERSION = "0.14.0"

#: Audits ``lighthouse:all`` turns off: timespan-only, diagnostics without a pass/fail.
_OFF = (
    "interaction-to-next-paint", "uses-responsive-images-snapshot", "work-during-interaction",
    "critical-request-chains", "final-screenshot", "js-libraries",
    "largest-contentful-paint-element", "layout-shifts", "main-thread-tasks",
    "network-requests", "network-rtt", "network-server-latency", "resource-summary",
    "screenshot-thumbnails", "script-treemap-data", "third-party-summary",
    "total-blocking-time", "user-timings", "diagnostics", "metrics",
)  # fmt: skip
#: Every other audit Lighthouse CI knows: an error below a score of 0.9.
_ERROR = (
    "aria-allowed-attr", "aria-allowed-role", "aria-command-name", "aria-conditional-attr",
    "aria-deprecated-role", "aria-dialog-name", "aria-hidden-body", "aria-hidden-focus",
    "aria-input-field-name", "aria-meter-name", "aria-progressbar-name", "aria-prohibited-attr",
    "aria-required-attr", "aria-required-children", "aria-required-parent", "aria-roles",
    "aria-text", "aria-toggle-field-name", "aria-tooltip-name", "aria-treeitem-name",
    "aria-valid-attr-value", "aria-valid-attr", "bf-cache", "bootup-time", "button-name",
    "color-contrast", "crawlable-anchors", "csp-xss", "cumulative-layout-shift",
    "definition-list", "document-title", "dom-size", "duplicate-id-aria",
    "duplicated-javascript", "efficient-animated-content", "empty-heading", "errors-in-console",
    "first-contentful-paint", "first-meaningful-paint", "font-display", "font-size",
    "form-field-multiple-labels", "frame-title", "geolocation-on-start", "heading-order",
    "html-has-lang", "html-lang-valid", "html-xml-lang-mismatch", "http-status-code",
    "identical-links-same-purpose", "image-alt", "image-aspect-ratio", "image-redundant-alt",
    "image-size-responsive", "input-button-name", "input-image-alt", "inspector-issues",
    "is-crawlable", "is-on-https", "label-content-name-mismatch", "landmark-one-main",
    "largest-contentful-paint", "lcp-lazy-loaded", "legacy-javascript", "link-in-text-block",
    "link-name", "link-text", "long-tasks", "mainthread-work-breakdown", "max-potential-fid",
    "meta-description", "meta-refresh", "meta-viewport", "modern-image-formats",
    "no-document-write", "non-composited-animations", "notification-on-start", "object-alt",
    "offscreen-images", "paste-preventing-inputs", "prioritize-lcp-image", "redirects-http",
    "render-blocking-resources", "robots-txt", "select-name", "server-response-time",
    "skip-link", "speed-index", "table-duplicate-name", "table-fake-caption", "target-size",
    "td-has-header", "td-headers-attr", "th-has-data-cells", "third-party-cookies",
    "third-party-facades", "total-byte-weight", "unminified-css", "unminified-javascript",
    "unsized-images", "unused-css-rules", "unused-javascript", "uses-http2",
    "uses-long-cache-ttl", "uses-optimized-images", "uses-passive-event-listeners",
    "uses-rel-preconnect", "uses-responsive-images", "uses-text-compression", "valid-lang",
    "valid-source-maps", "video-caption", "accesskeys", "bypass", "canonical", "charset",
    "deprecations", "dlitem", "doctype", "hreflang", "interactive", "label", "list", "listitem",
    "redirects", "tabindex", "viewport",
)  # fmt: skip
#: ``lighthouse:recommended``'s changes: flaky metrics warn, opportunities judged by
#: their items (``maxLength: 0``), audits that rarely apply in development off.
_WARN = (
    "bootup-time", "cumulative-layout-shift", "dom-size", "first-contentful-paint",
    "first-meaningful-paint", "interactive", "is-on-https", "largest-contentful-paint",
    "mainthread-work-breakdown", "max-potential-fid", "server-response-time", "speed-index",
)  # fmt: skip
_WARN_NO_ITEMS = (
    "duplicated-javascript", "legacy-javascript", "modern-image-formats",
    "render-blocking-resources", "uses-long-cache-ttl",
)  # fmt: skip
_ERROR_NO_ITEMS = (
    "efficient-animated-content", "offscreen-images", "unminified-css", "unminified-javascript",
    "unused-css-rules", "unused-javascript", "uses-optimized-images", "uses-rel-preconnect",
    "uses-responsive-images", "uses-text-compression",
)  # fmt: skip
_RECOMMENDED_OFF = ("long-tasks", "uses-http2")


def _entries(level: str, audits: tuple[str, ...], options: dict[str, Any]) -> dict[str, Any]:
    return {audit: [level, dict(options)] for audit in audits}


_ALL = {**_entries("off", _OFF, {}), **_entries("error", _ERROR, {})}
_RECOMMENDED = {
    **_ALL,
    **_entries("warn", _WARN, {}),
    **_entries("warn", _WARN_NO_ITEMS, {"maxLength": 0}),
    **_entries("error", _ERROR_NO_ITEMS, {"maxLength": 0}),
    **_entries("off", _RECOMMENDED_OFF, {}),
}

#: Preset name → its assertions, in Lighthouse CI's order and shape.
PRESETS: dict[str, dict[str, Any]] = {
    "lighthouse:all": _ALL,
    "lighthouse:recommended": _RECOMMENDED,
    # The PWA category is gone from Lighthouse 12; the preset still turns off its two audits.
    "lighthouse:no-pwa": {**_RECOMMENDED, "is-on-https": "off", "viewport": "off"},
}
