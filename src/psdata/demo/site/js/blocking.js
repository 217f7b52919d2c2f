// A synchronous script in <head>: parsing stops until it has arrived and run.
window.blockingScriptLoadedAt = performance.now();
