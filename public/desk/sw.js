// The desk's service worker (scope /desk/): precache its shell at install, serve it when
// offline. The list and the version are written at build time (build/sw-precache.sh). Its
// caches are its own: the field app's worker (scope /) never touches them, nor this one its.
const CACHE = 'revisit-desk-__VERSION__';
const SHELL = __PRECACHE__;
const OWN_CACHE = /^revisit-desk-[0-9a-f]{16}$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => OWN_CACHE.test(k) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Data never comes from the cache: the app keeps its data in IndexedDB.
  if (request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith('/desk/')) {
    return;
  }
  if (request.mode === 'navigate') {
    // Network first so a new build shows at once; the cached shell when offline.
    event.respondWith(fetch(request).catch(() => caches.match('/desk/', { cacheName: CACHE })));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});
