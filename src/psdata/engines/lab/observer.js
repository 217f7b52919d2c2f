// Installed before any page script: records paint, LCP, layout shifts, long tasks
// (script tasks and long rendering updates).
(() => {
  if (window !== window.top || window.__psdata) return;
  const state = (window.__psdata = {
    fcp: null, lcp: null, shifts: [], longTasks: [], lastLongTaskEnd: 0,
    // When the emulated viewport was first sized for this document (Chromium flags the
    // layout shifts of the next 500 ms as "recent input"); the document's start until then.
    viewportAt: performance.now(),
  });
  const onViewport = () => {
    // Only the sizing before the first paint; a later resize is the page's own zoom.
    if (state.fcp === null && !performance.getEntriesByType("paint").length) {
      state.viewportAt = performance.now();
    }
    window.visualViewport.removeEventListener("resize", onViewport);
  };
  if (window.visualViewport) window.visualViewport.addEventListener("resize", onViewport);
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry))
        .observe({ type, buffered: true });
    } catch (e) { /* entry type unsupported */ }
  };
  observe("paint", (e) => { if (e.name === "first-contentful-paint") state.fcp = e.startTime; });
  observe("largest-contentful-paint", (e) => { state.lcp = e.startTime; });
  observe("layout-shift", (e) => { state.shifts.push([e.startTime, e.value, e.hadRecentInput]); });
  const longTask = (start, duration) => {
    state.longTasks.push([start, duration]);
    state.lastLongTaskEnd = Math.max(state.lastLongTaskEnd, start + duration);
  };
  observe("longtask", (e) => longTask(e.startTime, e.duration));
  // The Long Tasks API leaves out rendering (style, layout, paint), which runs as a task
  // of its own and which Lighthouse's trace counts: take it from long animation frames.
  observe("long-animation-frame", (e) => {
    const render = e.renderStart > 0 ? e.startTime + e.duration - e.renderStart : 0;
    if (render > 50) longTask(e.renderStart, render);
  });
})();
