// Offline helper: lesson pages and static files come from the network when it answers and
// from the last copy on this device when it doesn't, so a reload while offline still shows
// the lesson (the unsent changes themselves wait in localStorage).
// One cache per student (the page registers /sw.js?u=<id>): a page kept for one student is
// never served to the next one on a shared laptop, and site.js deletes other students' copies.
const CACHE = `rc-pages-${new URL(self.location.href).searchParams.get("u") || "anon"}`;
const LESSON_PAGE = /^\/student\/assignments\/\d+$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The first visit happens before this worker controls the page: the page then asks for
// itself and its files to be kept.
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.keep) || [];
  const own = urls.map((u) => new URL(u, self.location.origin))
    .filter((u) => u.origin === self.location.origin).map((u) => u.href);
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(own)).catch(() => {}));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (!(url.pathname.startsWith("/static/") || LESSON_PAGE.test(url.pathname))) return;
  event.respondWith(
    fetch(req)
      .then((resp) => {
        if (resp.ok && !resp.redirected) {
          const copy = resp.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return resp;
      })
      .catch(() => caches.open(CACHE).then((c) => c.match(req, { ignoreSearch: true }))
        .then((hit) => hit || Response.error())),
  );
});
