// Installed before any page script (performance opportunities): keeps the element of the
// latest LCP candidate and the nodes behind each layout shift, for page.js to describe.
(() => {
  if (window !== window.top || window.__psdataOpp) return;
  const state = (window.__psdataOpp = { lcp: null, shifts: [] });
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
