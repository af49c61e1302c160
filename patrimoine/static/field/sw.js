// Patrimoine terrain — service worker. Served by Django at /terrain/sw.js, which prepends
// `self.TERRAIN = {version, shell, precache, data, scope}` (URLs with their cache-busting names).
//
// - The app shell (page, CSS, JS, icons, manifest) is precached at install and served from the cache
//   (refreshed in the background): the app opens in a basement.
// - My orders and the catalogue (JSON) come from the network when it answers within a few seconds,
//   else from the last copy, which carries the time it was fetched (X-Terrain-Fetched).
// - Photos of my orders are kept once seen (or prefetched on the page's request).
// - Nothing is cached for other pages; writes (POST) are never touched: the page keeps its queue.
// - Signing out from a page of the app (POST to the logout URL) empties the data cache.
"use strict";
const CONFIG = self.TERRAIN;
const SHELL_CACHE = `terrain-shell-${CONFIG.version}`;
const DATA_CACHE = CONFIG.data_cache;
const NETWORK_TIMEOUT_MS = 6000;

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await Promise.all(
    CONFIG.precache.map(async (url) => {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
      if (cacheable(response)) await cache.put(url, response);
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("terrain-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set("X-Terrain-Fetched", String(Date.now()));
  headers.delete("Vary"); // one copy per URL, whoever asks (the page's own copy has no request headers)
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  const network = fetch(request).then(async (response) => {
    if (cacheable(response)) await cache.put(request, await stamped(response.clone()));
    return response;
  });
  network.catch(() => null); // a late failure after the timeout is expected offline
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const response = await Promise.race([network, timeout]);
    if (response && (response.ok || response.status === 401)) return response;
  } catch (error) {
    // offline: the copy below
  }
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  return network.catch(() => Response.json({ message: "hors ligne" }, { status: 503 }));
}

async function shell(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(CONFIG.shell);
  const refresh = fetch(request)
    .then(async (response) => {
      if (cacheable(response)) await cache.put(CONFIG.shell, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) return cached;
  return (await refresh) || Response.error();
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (cacheable(response)) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.method === "POST" && url.pathname === CONFIG.logout) event.waitUntil(caches.delete(DATA_CACHE));
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname === CONFIG.shell) event.respondWith(shell(request));
    return;
  }
  if (CONFIG.data.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (CONFIG.precache.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  } else if (url.pathname.startsWith(CONFIG.documents)) {
    event.respondWith(cacheFirst(request, DATA_CACHE));
  }
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "prefetch" && Array.isArray(message.urls)) {
    event.waitUntil(
      (async () => {
        const cache = await caches.open(DATA_CACHE);
        for (const url of message.urls.slice(0, 40)) {
          if (!url.startsWith(CONFIG.documents) || (await cache.match(url))) continue;
          try {
            const response = await fetch(url, { credentials: "same-origin" });
            if (cacheable(response)) await cache.put(url, response);
          } catch (error) {
            return; // offline: next time
          }
        }
      })(),
    );
  }
});
