// Offline helper: lesson pages and static files come from the network when it answers and
// from the last copy on this device when it doesn't, so a reload while offline still shows
// the lesson (the unsent changes themselves wait in localStorage).
// One cache per student (the page registers /sw.js?u=<id>): a page kept for one student is
// never served to the next one on a shared laptop, and site.js deletes other students' copies.
// It writes to its cache only for its own student's lesson pages (the server marks them with
// X-Read-Closely-User) and the files such a page loads: never for the login page or anyone
// else, so a cache deleted at logout is not made again by the pages that follow.
const USER = new URL(self.location.href).searchParams.get("u") || "";
const CACHE = `rc-pages-${USER || "anon"}`;
const LESSON_PAGE = /^\/student\/assignments\/\d+$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

const isLessonPage = (href) => LESSON_PAGE.test(new URL(href).pathname);

/** May this response go into this student's cache? */
async function mine(resp, requestUrl, clientId) {
  if (!USER || !resp.ok || resp.redirected) return false;
  if (isLessonPage(requestUrl)) return resp.headers.get("X-Read-Closely-User") === USER;
  const client = clientId ? await self.clients.get(clientId) : null;
  return !!client && isLessonPage(client.url);
}

async function keep(req, resp, clientId) {
  if (await mine(resp, req.url, clientId)) await (await caches.open(CACHE)).put(req, resp);
}

// The first visit happens before this worker controls the page: the page then asks for
// itself and its files to be kept.
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.keep) || [];
  const clientId = event.source && event.source.id;
  const own = urls.map((u) => new URL(u, self.location.origin))
    .filter((u) => u.origin === self.location.origin).map((u) => u.href);
  event.waitUntil(Promise.all(own.map((href) => fetch(href)
    .then((resp) => keep(new Request(href), resp, clientId)).catch(() => {}))));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (!(url.pathname.startsWith("/static/") || LESSON_PAGE.test(url.pathname))) return;
  event.respondWith(fetch(req).then(
    (resp) => {
      try {
        event.waitUntil(keep(req, resp.clone(), event.clientId).catch(() => {}));
      } catch { /* keeping a copy must never cost the page its answer */ }
      return resp;
    },
    // offline: the last copy (caches.match, not caches.open: looking makes no empty cache)
    () => caches.match(req, { cacheName: CACHE, ignoreSearch: true })
      .then((hit) => hit || Response.error()),
  ));
});
