// Installed before any page script: records paint, LCP, layout shifts, long tasks.
(() => {
  if (window !== window.top || window.__psdata) return;
  const state = (window.__psdata = {
    fcp: null, lcp: null, shifts: [], longTasks: [], lastLongTaskEnd: 0,
  });
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry))
        .observe({ type, buffered: true });
    } catch (e) { /* entry type unsupported */ }
  };
  observe("paint", (e) => { if (e.name === "first-contentful-paint") state.fcp = e.startTime; });
  observe("largest-contentful-paint", (e) => { state.lcp = e.startTime; });
  observe("layout-shift", (e) => { state.shifts.push([e.startTime, e.value, e.hadRecentInput]); });
  observe("longtask", (e) => {
    state.longTasks.push([e.startTime, e.duration]);
    state.lastLongTaskEnd = Math.max(state.lastLongTaskEnd, e.startTime + e.duration);
  });
})();
