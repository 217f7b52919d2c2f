// A tiny script; the server's ?delay= makes it slow.
window.noopLoaded = (window.noopLoaded || 0) + 1;
