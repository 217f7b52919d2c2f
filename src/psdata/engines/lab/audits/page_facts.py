"""One in-page pass that reads the DOM facts the best-practices and SEO audits judge.

The script returns plain JSON: head metadata, links, anchors, images, inputs that block
pasting, text size statistics, detected JavaScript libraries and the permission requests
recorded by :data:`PERMISSION_PROBE` (an init script added before navigation).
"""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import Page

from ._common import evaluate

#: Init script: records geolocation / notification permission requests made by the page.
PERMISSION_PROBE = """(() => {
  const calls = [];
  Object.defineProperty(window, '__psdataPermissionCalls', {value: calls});
  const wrap = (owner, name, kind) => {
    const original = owner && owner[name];
    if (typeof original !== 'function') return;
    owner[name] = function (...args) {
      const frames = (new Error().stack || '').split('\\n').slice(2);
      calls.push({kind, api: name, source: (frames[0] || '').trim()});
      return original.apply(this, args);
    };
  };
  try {
    wrap(Geolocation.prototype, 'getCurrentPosition', 'geolocation');
    wrap(Geolocation.prototype, 'watchPosition', 'geolocation');
  } catch (e) {}
  try { wrap(window.Notification, 'requestPermission', 'notification'); } catch (e) {}
})();"""

_FACTS_JS = """(limit) => {
  // Each parent's children are numbered once (a flat list of thousands of links would
  // otherwise cost a scan of its siblings per element).
  const positions = new Map();
  const nthOfType = (n) => {
    const parent = n.parentElement;
    if (!parent) return '';
    let known = positions.get(parent);
    if (!known) {
      known = {nth: new Map(), count: new Map()};
      for (const c of parent.children) {
        const seen = (known.count.get(c.localName) || 0) + 1;
        known.count.set(c.localName, seen);
        known.nth.set(c, seen);
      }
      positions.set(parent, known);
    }
    return known.count.get(n.localName) > 1 ? `:nth-of-type(${known.nth.get(n)})` : '';
  };
  const selector = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
      if (n.id) { parts.unshift('#' + CSS.escape(n.id)); break; }
      parts.unshift(n.localName + nthOfType(n));
    }
    return parts.join(' > ');
  };
  const snippet = (el) => {
    const html = el.outerHTML;
    const end = html.indexOf('>');
    return (end >= 0 ? html.slice(0, end + 1) : html).slice(0, 300);
  };
  const node = (el) => ({selector: selector(el), snippet: snippet(el)});
  const attr = (el, name) => el.getAttribute(name);
  const metas = [...document.querySelectorAll('meta')];
  const named = (name) => metas
    .filter((m) => (attr(m, 'name') || '').trim().toLowerCase() === name)
    .map((m) => attr(m, 'content') || '');
  const httpEquiv = (name) => metas
    .filter((m) => (attr(m, 'http-equiv') || '').trim().toLowerCase() === name)
    .map((m) => attr(m, 'content') || '');
  // Lighthouse reads <link> in the head (not the body) and compares the whole rel.
  const head = [...document.querySelectorAll('link')]
    .filter((l) => l instanceof HTMLLinkElement && l.closest('head'));
  const rel = (link) => link.rel.toLowerCase();

  const resolved = (url) => {
    try { return new URL(url, location.href).href; } catch (e) { return ''; }
  };
  // Every anchor is judged, as in Lighthouse; past the first `limit`, without the
  // selector and snippet that only describe a failure (a large index has 30,000 links).
  const anchors = [...document.querySelectorAll('a')].map((a, index) => {
    const html = a instanceof HTMLAnchorElement;
    return {
      ...(index < limit ? node(a) : {selector: '', snippet: '', index}),
      rawHref: attr(a, 'href') || '',
      // An <a> without href has href ''; an SVG <a> holds an SVGAnimatedString.
      href: html ? a.href : resolved(a.href.baseVal),
      text: (a.textContent || '').slice(0, 1000).replace(/\\s+/g, ' ').trim(),
      rel: (attr(a, 'rel') || '').toLowerCase(),
      name: html ? a.name : '',
      role: attr(a, 'role') || '',
      id: attr(a, 'id') || '',
    };
  });

  const images = [...document.images].slice(0, limit).map((img) => {
    const box = img.getBoundingClientRect();
    const style = getComputedStyle(img);
    return {
      ...node(img),
      src: img.currentSrc || img.src,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      width: img.width,
      height: img.height,
      objectFit: style.objectFit,
      imageRendering: style.imageRendering,
      densitySrcset: / \\d+(\\.\\d+)?x/.test(img.srcset),
      visible: box.width > 1 && box.height > 1 && img.checkVisibility({visibilityProperty: true}),
      inViewport: box.top <= innerHeight && box.bottom >= 0 && box.left <= innerWidth
        && box.right >= 0,
      smallerThanViewport: box.height <= innerHeight && box.width <= innerWidth,
    };
  });

  const pastePrevented = [...document.querySelectorAll('input, textarea')].slice(0, limit)
    .filter((el) => !el.dispatchEvent(new ClipboardEvent('paste',
      {bubbles: true, cancelable: true, clipboardData: new DataTransfer()})))
    .map(node);

  let totalChars = 0;
  let legibleChars = 0;
  const smallText = [];
  const SKIPPED = ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'];
  if (document.body) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let seen = 0; walker.nextNode() && seen < limit * 10; seen++) {
      const text = walker.currentNode.textContent.trim();
      const parent = walker.currentNode.parentElement;
      if (!text || !parent || SKIPPED.includes(parent.tagName)) continue;
      if (!parent.checkVisibility({visibilityProperty: true})) continue;
      const size = parseFloat(getComputedStyle(parent).fontSize);
      totalChars += text.length;
      if (size >= 12) legibleChars += text.length;
      else if (smallText.length < 20) {
        smallText.push({...node(parent), fontSize: size, chars: text.length});
      }
    }
  }

  const libraries = [];
  const probe = (name, read) => {
    try {
      const version = read();
      if (version) libraries.push({name, version: typeof version === 'string' ? version : null});
    } catch (e) {}
  };
  probe('jQuery', () => window.jQuery && window.jQuery.fn && (window.jQuery.fn.jquery || true));
  probe('React', () => window.React && (window.React.version || true));
  probe('Vue', () => window.Vue && (window.Vue.version || true));
  probe('AngularJS', () => window.angular && window.angular.version && window.angular.version.full);
  probe('Angular', () => attr(document.querySelector('[ng-version]'), 'ng-version'));
  probe('Lodash', () => window._ && typeof window._.chunk === 'function' && window._.VERSION);
  probe('Underscore', () => window._ && typeof window._.chunk !== 'function' && window._.VERSION);
  probe('Moment.js', () => window.moment && window.moment.version);
  probe('D3', () => window.d3 && window.d3.version);
  probe('Backbone', () => window.Backbone && window.Backbone.VERSION);
  probe('Ember', () => window.Ember && window.Ember.VERSION);
  probe('Knockout', () => window.ko && window.ko.version);
  probe('Handlebars', () => window.Handlebars && window.Handlebars.VERSION);
  probe('Modernizr', () => window.Modernizr && (window.Modernizr._version || true));
  probe('Next.js', () => window.__NEXT_DATA__ && ((window.next && window.next.version) || true));
  probe('Nuxt', () => window.__NUXT__ && true);

  const ua = navigator.userAgent;
  return {
    url: location.href,
    doctype: document.doctype && {
      name: document.doctype.name, publicId: document.doctype.publicId,
      systemId: document.doctype.systemId,
    },
    compatMode: document.compatMode,
    metaCharset: !!document.querySelector('meta[charset]') ||
      httpEquiv('content-type').some((c) => /charset\\s*=/i.test(c)),
    viewport: named('viewport'),
    description: named('description'),
    robots: ['robots', 'googlebot'].flatMap((bot) => named(bot).map((content) => ({bot, content}))),
    csp: httpEquiv('content-security-policy'),
    canonical: head.filter((l) => rel(l) === 'canonical')
      .map((l) => ({rawHref: attr(l, 'href') || '', href: l.href})),
    hreflang: head.filter((l) => rel(l) === 'alternate' && l.hreflang)
      .map((l) => ({
        ...node(l), hreflang: attr(l, 'hreflang'), rawHref: attr(l, 'href') || '', href: l.href,
      })),
    anchors,
    images,
    pastePrevented,
    text: {totalChars, legibleChars, smallText},
    libraries,
    permissionCalls: window.__psdataPermissionCalls || [],
    devicePixelRatio: window.devicePixelRatio,
    mobile: /\\bMobile\\b|Android/.test(ua),
  };
}"""

#: Most elements of one kind the facts script reads (images, inputs); anchors are all
#: read, and this many with the selector and snippet of their node.
ELEMENT_LIMIT = 2000


async def collect_page_facts(page: Page, *, within: float) -> dict[str, Any]:
    """Read the page's DOM facts in one bounded ``evaluate`` (see the module docstring).

    >>> facts = await collect_page_facts(page, within=5.0)  # doctest: +SKIP
    >>> facts["doctype"]["name"]  # doctest: +SKIP
    'html'
    """
    # As one JSON string: Playwright's value-by-value serialization of tens of thousands
    # of anchors takes seconds, JSON.stringify and json.loads a few milliseconds. Not on
    # a page that replaced JSON.stringify or added toJSON methods (old Prototype.js).
    wrapped = f"""(limit) => {{
      const facts = ({_FACTS_JS})(limit);
      const native = /\\[native code\\]/.test(String(JSON.stringify))
        && [Object, Array, String].every((type) => type.prototype.toJSON === undefined);
      return native ? JSON.stringify(facts) : facts;
    }}"""
    found = await evaluate(page, wrapped, ELEMENT_LIMIT, within=within)
    facts: dict[str, Any] = json.loads(found) if isinstance(found, str) else found
    return facts
