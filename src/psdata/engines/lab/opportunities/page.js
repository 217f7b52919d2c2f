// Evaluated once after load (performance opportunities): the page facts Lighthouse's
// ImageElements, DOMStats, ViewportDimensions, TraceElements and LinkElements give it.
(() => {
  const MAX_RULES = 5000;
  const MAX_IMAGES = 500;
  const describe = (el) => {
    if (!el || el.nodeType !== 1) return null;
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      const cls = (node.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
      if (cls.length) part += "." + cls.slice(0, 2).join(".");
      parts.unshift(part);
    }
    const html = el.outerHTML || "";
    const end = html.indexOf(">");
    return { selector: parts.join(" > "), snippet: (end > 0 ? html.slice(0, end + 1) : html).slice(0, 200) };
  };
  // Width, height and aspect-ratio declared by the CSS rules matching an element.
  const rules = [];
  for (const sheet of Array.from(document.styleSheets)) {
    let list;
    try { list = sheet.cssRules; } catch (e) { continue; } // cross-origin sheet
    for (const rule of Array.from(list || [])) {
      if (rules.length >= MAX_RULES) break;
      const style = rule.style;
      if (rule.selectorText && style && (style.width || style.height || style.aspectRatio)) rules.push(rule);
    }
  }
  const declared = (el) => {
    const found = { width: el.style.width || "", height: el.style.height || "", aspectRatio: el.style.aspectRatio || "" };
    for (const rule of rules) {
      let matches = false;
      try { matches = el.matches(rule.selectorText); } catch (e) { /* selector unsupported */ }
      if (!matches) continue;
      for (const key of ["width", "height", "aspectRatio"]) {
        if (!found[key] && rule.style[key]) found[key] = rule.style[key];
      }
    }
    return found;
  };
  const images = [];
  for (const el of Array.from(document.querySelectorAll("img, input[type=image]")).slice(0, MAX_IMAGES)) {
    const rect = el.getBoundingClientRect();
    images.push({
      src: el.currentSrc || el.src || "",
      srcset: el.getAttribute("srcset") || "",
      isPicture: !!(el.parentElement && el.parentElement.localName === "picture"),
      naturalWidth: el.naturalWidth || 0,
      naturalHeight: el.naturalHeight || 0,
      displayedWidth: el.clientWidth || rect.width,
      displayedHeight: el.clientHeight || rect.height,
      rect: { top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right, width: rect.width, height: rect.height },
      loading: el.getAttribute("loading") || "",
      fetchpriority: el.getAttribute("fetchpriority") || "",
      attributeWidth: el.getAttribute("width") || "",
      attributeHeight: el.getAttribute("height") || "",
      // Only images without both size attributes need the (costlier) CSS look-up.
      css: el.getAttribute("width") && el.getAttribute("height") ? {} : declared(el),
      position: getComputedStyle(el).position,
      node: describe(el),
    });
  }
  // DOM size as Lighthouse counts it: the elements under <body>, the deepest and widest.
  let total = 0, maxDepth = 0, maxChildren = 0, deepest = null, widest = null;
  const walk = (node, depth) => {
    for (const child of Array.from(node.children || [])) {
      total += 1;
      if (depth + 1 > maxDepth) { maxDepth = depth + 1; deepest = child; }
      walk(child, depth + 1);
      if (child.shadowRoot) walk(child.shadowRoot, depth + 1);
    }
    const count = (node.children || []).length;
    if (count > maxChildren) { maxChildren = count; widest = node.nodeType === 1 ? node : node.host; }
  };
  if (document.body) walk(document.body, 0);
  const state = window.__psdataOpp || { lcp: null, shifts: [] };
  const lcpEl = state.lcp && state.lcp.element;
  const shiftNodes = new Map();
  for (const shift of state.shifts) {
    for (const node of shift.nodes) {
      const el = node.nodeType === 1 ? node : node.parentElement;
      if (!el) continue;
      shiftNodes.set(el, (shiftNodes.get(el) || 0) + shift.value);
    }
  }
  const links = Array.from(document.querySelectorAll("link[rel]")).map((l) => ({
    rel: (l.getAttribute("rel") || "").toLowerCase(), href: l.href || "", as: l.getAttribute("as") || "",
  }));
  const resources = performance.getEntriesByType("resource").map((r) => ({
    url: r.name, blocking: r.renderBlockingStatus || "", initiator: r.initiatorType,
  }));
  const metaViewport = Array.from(document.querySelectorAll("meta[name]"))
    .filter((m) => m.getAttribute("name").trim().toLowerCase() === "viewport")
    .map((m) => m.getAttribute("content") || "");
  const userTimings = performance.getEntriesByType("mark").concat(performance.getEntriesByType("measure"))
    .map((e) => ({ name: e.name, type: e.entryType, startTime: e.startTime, duration: e.duration }));
  const inlineScripts = Array.from(document.querySelectorAll("script:not([src])"))
    .map((s) => s.textContent || "").filter((t) => t.trim());
  return {
    url: location.href,
    viewport: { innerWidth: window.innerWidth, innerHeight: window.innerHeight, devicePixelRatio: window.devicePixelRatio },
    images,
    dom: { totalBodyElements: total, maxDepth, maxChildren, deepest: describe(deepest), widest: describe(widest) },
    lcp: state.lcp ? {
      time: state.lcp.time, url: state.lcp.url, node: describe(lcpEl),
      tag: lcpEl ? lcpEl.localName : null,
      loading: lcpEl && lcpEl.getAttribute ? lcpEl.getAttribute("loading") || "" : "",
      fetchpriority: lcpEl && lcpEl.getAttribute ? lcpEl.getAttribute("fetchpriority") || "" : "",
      rect: lcpEl ? (() => { const r = lcpEl.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; })() : null,
    } : null,
    shifts: state.shifts.map((s) => ({ value: s.value, time: s.time })),
    shiftElements: Array.from(shiftNodes.entries()).map(([el, value]) => ({ node: describe(el), value })),
    links,
    resources,
    violations: state.violations || [],
    metaViewport,
    userTimings,
    inlineScripts: inlineScripts.slice(0, 50).map((t) => t.slice(0, 500000)),
  };
})()
