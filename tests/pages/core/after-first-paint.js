// Runs fn ms after the first contentful paint. A page's timed effects (a shift, a long
// task, heavy rendering) must come after the first paint to count, and a cold renderer
// (the first page of a fresh Chromium) can take longer than a fixed timer to paint.
function afterFirstPaint(ms, fn) {
  new PerformanceObserver((list, observer) => {
    if (!list.getEntriesByName("first-contentful-paint").length) return;
    observer.disconnect();
    setTimeout(fn, ms);
  }).observe({ type: "paint", buffered: true });
}
