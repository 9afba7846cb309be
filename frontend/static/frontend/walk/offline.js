// SPDX-License-Identifier: EUPL-1.2
// A page that must open again without network (the phone logger, the survey): its service
// worker (frontend/templates/frontend/walk_sw.js) is registered, and the page's own URLs
// are fetched through it once it controls the page, so that it keeps them. When that is
// done, <body data-offline-ready="true">. Without a worker the page still works; only a
// reload without network fails.

export async function keepForOffline(workerUrl, urls, language) {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(workerUrl);
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    if (navigator.onLine) {
      await Promise.all(urls.map((url) => fetch(url, { headers: { "Accept-Language": language } })));
    }
    document.body.dataset.offlineReady = "true";
  } catch {
    // The worker could not be set up: nothing kept for a reload without network.
  }
}
