// SPDX-License-Identifier: EUPL-1.2
// The phone logger's service worker: keeps the page, its files, Leaflet and the walk's
// data so that a reload without network still opens the logger. Writes never go through
// here: the page's IndexedDB outbox owns them. The survey page (/survey/sw.js) uses the
// same worker with its own cache, files and pages (frontend/survey_views.py).
{% autoescape off %}
const PREFIX = "{{ cache_prefix|default:'lyhty-walk-' }}";
const CACHE = `${PREFIX}{{ version }}`;
const ASSETS = {{ assets_json }};
{% if data_pattern_json %}const DATA = new RegExp({{ data_pattern_json }});
{% else %}const DATA = /^\/(walk\/join\/[^/]+\/|api\/v1\/(categories|themes|walks\/\d+)\/)$/;
{% endif %}{% endautoescape %}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: false });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // tiles and the like: the browser's business
  if (DATA.test(url.pathname)) event.respondWith(networkFirst(request));
  else if (ASSETS.includes(url.pathname)) event.respondWith(cacheFirst(request));
});
