// SPDX-License-Identifier: EUPL-1.2
// The phone's outbox: observations and photos wait in IndexedDB until the server has
// confirmed them, and are sent in bulk with retries. Every observation carries the UUID
// the phone made, so sending it twice never stores two.

const DB_NAME = "lyhty-outbox";
const MAX_DELAY_MS = 60000;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDatabase() {
  const request = indexedDB.open(DB_NAME, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    // uuid → {uuid, walk, feature, id (once created), version, sentVersion, errors}
    db.createObjectStore("observations", { keyPath: "uuid" });
    // → {uuid of the observation, blob, name}
    db.createObjectStore("photos", { keyPath: "n", autoIncrement: true });
    // uuid → server id, for points already sent that are corrected or get a photo later
    db.createObjectStore("sent", { keyPath: "uuid" });
  };
  return promised(request);
}

export class Outbox {
  constructor({ walk, key, observationsUrl, onChange }) {
    this.walk = walk;
    this.key = key;
    this.observationsUrl = observationsUrl;
    this.onChange = onChange || (() => {});
    this.db = openDatabase();
    this.sending = null;
    this.failures = 0;
    this.confirmedCount = 0; // since the page opened
    this.timer = null;
    window.addEventListener("online", () => this.send());
  }

  async store(names, mode, work) {
    const db = await this.db;
    const transaction = db.transaction(names, mode);
    const stores = names.map((name) => transaction.objectStore(name));
    const result = await work(...stores);
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    return result;
  }

  // Put a new or corrected observation in the outbox: the same UUID keeps its identity.
  async save(uuid, feature) {
    await this.store(["observations", "sent"], "readwrite", async (observations, sent) => {
      const queued = await promised(observations.get(uuid));
      const known = queued ? null : await promised(sent.get(uuid));
      const item = queued || { uuid, walk: this.walk, id: known ? known.id : null, version: 0 };
      item.feature = feature;
      item.version += 1;
      delete item.errors;
      observations.put(item);
    });
    this.changed();
    this.send();
  }

  async addPhoto(uuid, blob, name) {
    await this.store(["photos"], "readwrite", (photos) => photos.add({ uuid, walk: this.walk, blob, name }));
    this.changed();
    this.send();
  }

  async counts() {
    return this.store(["observations", "photos"], "readonly", async (observations, photos) => {
      const items = (await promised(observations.getAll())).filter((i) => i.walk === this.walk);
      const queued = new Set(items.map((i) => i.uuid));
      const waitingPhotos = (await promised(photos.getAll())).filter(
        (p) => p.walk === this.walk && !queued.has(p.uuid),
      );
      const rejected = items.filter((i) => i.errors).length;
      const waiting = items.length - rejected + waitingPhotos.length;
      return { waiting, rejected, confirmed: this.confirmedCount };
    });
  }

  async changed() {
    this.onChange(await this.counts(), Boolean(this.sending));
  }

  // Send whatever waits; calls during a send wait for it and then send again once.
  send() {
    if (!navigator.onLine) {
      // Nothing to try: the `online` event starts the next round.
      this.changed();
      return Promise.resolve();
    }
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    clearTimeout(this.timer);
    this.sending = this.sendAll()
      .then(() => { this.failures = 0; })
      .catch(() => {
        this.failures += 1;
        const delay = Math.min(MAX_DELAY_MS, 2000 * 2 ** (this.failures - 1));
        this.timer = setTimeout(() => this.send(), delay);
      })
      .finally(() => {
        this.sending = null;
        this.changed();
        if (this.again) {
          this.again = false;
          this.send();
        }
      });
    this.changed();
    return this.sending;
  }

  async request(url, options) {
    const headers = { Authorization: `Participant ${this.key}`, ...(options.headers || {}) };
    const response = await fetch(url, { ...options, headers, credentials: "omit" });
    if (response.status >= 500 || response.status === 429) throw new Error(`HTTP ${response.status}`);
    return response;
  }

  async sendAll() {
    const all = await this.store(["observations"], "readonly", (o) => promised(o.getAll()));
    const items = all.filter((i) => i.walk === this.walk && !i.errors);
    const fresh = items.filter((i) => i.id === null).slice(0, 500);
    if (fresh.length) await this.create(fresh);
    for (const item of items.filter((i) => i.id !== null)) await this.correct(item);
    await this.sendPhotos();
  }

  async create(items) {
    const body = { type: "FeatureCollection", features: items.map((i) => i.feature) };
    const response = await this.request(this.observationsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const answers = await response.json();
    for (const [n, answer] of answers.entries()) {
      const item = items[n];
      if (answer.result === "created" || answer.result === "exists") {
        await this.confirmed(item, answer.id);
      } else {
        await this.rejected(item, answer.errors);
      }
    }
  }

  async correct(item) {
    const { uuid, ...properties } = item.feature.properties;
    const response = await this.request(`${this.observationsUrl}${item.id}/`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "Feature", geometry: item.feature.geometry, properties }),
    });
    if (response.ok) await this.confirmed(item, item.id);
    else if (response.status === 400 || response.status === 403 || response.status === 404) {
      await this.rejected(item, await response.json().catch(() => ({})));
    } else throw new Error(`HTTP ${response.status}`);
  }

  // The server has the observation: forget it here, unless it was corrected meanwhile.
  async confirmed(item, id) {
    this.confirmedCount += 1;
    await this.store(["observations", "sent"], "readwrite", async (observations, sent) => {
      sent.put({ uuid: item.uuid, id });
      const now = await promised(observations.get(item.uuid));
      if (!now) return;
      if (now.version === item.version) observations.delete(item.uuid);
      else {
        now.id = id;
        observations.put(now);
      }
    });
  }

  async rejected(item, errors) {
    await this.store(["observations"], "readwrite", async (observations) => {
      const now = await promised(observations.get(item.uuid));
      if (now && now.version === item.version) observations.put({ ...now, errors: errors || {} });
    });
  }

  async sendPhotos() {
    const photos = await this.store(["photos"], "readonly", (p) => promised(p.getAll()));
    for (const photo of photos.filter((p) => p.walk === this.walk)) {
      const sent = await this.store(["sent"], "readonly", (s) => promised(s.get(photo.uuid)));
      if (!sent) continue; // its observation has not been confirmed yet
      const form = new FormData();
      form.append("photo", photo.blob, photo.name || "photo.jpg");
      const response = await this.request(`${this.observationsUrl}${sent.id}/photos/`, {
        method: "POST",
        body: form,
      });
      if (!response.ok && ![400, 403, 404, 413].includes(response.status)) {
        throw new Error(`HTTP ${response.status}`);
      }
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        this.onPhotoRejected?.((answer.photo || answer.detail || [response.status]).toString());
      }
      // Stored, or refused for good (not an image, too large): either way it leaves the phone.
      await this.store(["photos"], "readwrite", (p) => p.delete(photo.n));
    }
  }
}
