// Installed before any page script (performance opportunities): keeps the element of the
// latest LCP candidate and the nodes behind each layout shift, for page.js to describe,
// and the calls Chromium reports as discouraged-API violations: document.write() and
// non-passive scroll-blocking listeners (touchstart, touchmove, wheel, mousewheel on an
// element; window, document and body get passive ones by default).
(() => {
  if (window !== window.top || window.__psdataOpp) return;
  const state = (window.__psdataOpp = { lcp: null, shifts: [], violations: [] });
  const caller = () => {
    const found = /(https?:\/\/[^\s)]+):(\d+):(\d+)/.exec(new Error().stack || "");
    return found ? { url: found[1], line: Number(found[2]) - 1 } : { url: location.href, line: null };
  };
  const report = (text) => {
    if (state.violations.length < 200) state.violations.push({ text, ...caller() });
  };
  const write = Document.prototype.write;
  Document.prototype.write = function (...args) {
    report("Avoid using document.write().");
    return write.apply(this, args);
  };
  const blocking = new Set(["touchstart", "touchmove", "wheel", "mousewheel"]);
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const specified = options !== null && typeof options === "object" && "passive" in options;
    const byDefault = this === window || this === document || this === document.body
      || this === document.documentElement;
    if (blocking.has(type) && !specified && !byDefault && listener) {
      report(`Added non-passive event listener to a scroll-blocking '${type}' event.`);
    }
    return add.call(this, type, listener, options);
  };
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry))
        .observe({ type, buffered: true });
    } catch (e) { /* entry type unsupported */ }
  };
  observe("largest-contentful-paint", (e) => {
    state.lcp = { element: e.element || null, url: e.url || "", time: e.startTime };
  });
  observe("layout-shift", (e) => {
    if (e.hadRecentInput) return;
    const nodes = (e.sources || []).map((s) => s.node).filter(Boolean);
    state.shifts.push({ value: e.value, time: e.startTime, nodes });
  });
})();
