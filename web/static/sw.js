// helpcall's service worker: it keeps the app's shell (styles, scripts, icons, an offline
// page) so that the installed app opens at once and says so when there is no network.
// It never stores API answers, Socket.IO traffic or pages: those carry personal data.
const SHELL = "helpcall-shell-v1";
const OFFLINE = "/static/offline.html";
const ASSETS = [
  OFFLINE,
  "/static/css/app.css",
  "/static/css/everyday.css",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
  "/static/js/api.js",
  "/static/js/live.js",
  "/static/js/money.js",
  "/static/js/notices.js",
  "/static/js/page.js",
  "/static/js/shell.js",
  "/static/js/socket.js",
  "/static/js/toast.js",
  "/static/vendor/socket.io.esm.min.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// Only the shell's own files are kept. The network comes first, so a new release is
// used as soon as it is served; the copy is for when there is no network.
function isShell(url) {
  return url.origin === self.location.origin && ASSETS.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (isShell(url)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(SHELL).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname).then((found) => found || Response.error())),
    );
    return;
  }
  // A page that cannot load for want of network: the offline page, never a stored page.
  if (request.mode === "navigate" && url.origin === self.location.origin && !url.pathname.startsWith("/api/")) {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE).then((found) => found || Response.error())));
  }
});
