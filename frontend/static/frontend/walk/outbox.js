// SPDX-License-Identifier: EUPL-1.2
// The phone's outbox: observations and photos wait in IndexedDB until the server has
// confirmed them, and are sent in bulk with retries. Every observation carries the UUID
// the phone made, so sending it twice never stores two.

import { committed, openDatabase, promised } from "./idb.js";

const DB_NAME = "lyhty-outbox";
const MAX_DELAY_MS = 60000;

function openOutbox() {
  return openDatabase(DB_NAME, (db) => {
    // uuid → {uuid, walk, feature, id (once created), version, errors, deleted}
    db.createObjectStore("observations", { keyPath: "uuid" });
    // → {uuid of the observation, blob, name}
    db.createObjectStore("photos", { keyPath: "n", autoIncrement: true });
    // uuid → {uuid, id, walk, feature}: points the server has, for "My points", later
    // corrections and photos
    db.createObjectStore("sent", { keyPath: "uuid" });
  });
}

// The database the walk logger and the report page share (frontend/report/outbox.js): each
// item carries its scope in `walk` (a walk's id, or "report"), and each page sends only its own.
// The server refused the participant key: nothing is sent until the participant joins again.
export class KeyRejected extends Error {}

export class Outbox {
  constructor({ walk, key, observationsUrl, onChange }) {
    this.walk = walk;
    this.key = key;
    this.observationsUrl = observationsUrl;
    this.onChange = onChange || (() => {});
    this.db = openOutbox();
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
    await committed(transaction);
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

  // Delete a point: one still waiting simply goes (once no upload of it is under way);
  // one the server has is deleted there first. Its waiting photos go too.
  async remove(uuid) {
    await this.store(["observations", "sent", "photos"], "readwrite", async (observations, sent, photos) => {
      const queued = await promised(observations.get(uuid));
      const known = queued ? null : await promised(sent.get(uuid));
      if (!queued && !known) return;
      const item = queued || { uuid, walk: this.walk, id: known.id, version: 0, feature: known.feature };
      item.deleted = true;
      item.version += 1;
      delete item.errors;
      observations.put(item);
      for (const photo of await promised(photos.getAll())) if (photo.uuid === uuid) photos.delete(photo.n);
    });
    this.changed();
    this.send();
  }

  // This walk's points on this phone, newest first: waiting, refused (with the reasons),
  // being deleted, and those the server has confirmed.
  async points() {
    return this.store(["observations", "sent"], "readonly", async (observations, sent) => {
      const queued = (await promised(observations.getAll())).filter((i) => i.walk === this.walk);
      const seen = new Set(queued.map((i) => i.uuid));
      const confirmed = (await promised(sent.getAll())).filter(
        (s) => s.walk === this.walk && s.feature && !seen.has(s.uuid),
      );
      const points = [
        ...queued.filter((i) => !(i.deleted && i.id === null)).map((i) => ({
          uuid: i.uuid,
          id: i.id,
          feature: i.feature,
          state: i.deleted ? "deleting" : i.errors ? "rejected" : "waiting",
          errors: i.errors || null,
        })),
        ...confirmed.map((s) => ({ uuid: s.uuid, id: s.id, feature: s.feature, state: "sent", errors: null })),
      ];
      const time = (p) => p.feature.properties.observed_at || "";
      return points.sort((a, b) => time(b).localeCompare(time(a)));
    });
  }

  async addPhoto(uuid, blob, name) {
    await this.store(["photos"], "readwrite", (photos) => photos.add({ uuid, walk: this.walk, blob, name }));
    this.changed();
    this.send();
  }

  async counts() {
    return this.store(["observations", "photos"], "readonly", async (observations, photos) => {
      const items = (await promised(observations.getAll())).filter(
        (i) => i.walk === this.walk && !(i.deleted && i.id === null),
      );
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
      .catch((error) => {
        if (error instanceof KeyRejected) return; // waits for useKey()
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

  // What every request carries: the participant's key (the report page: its device id).
  authHeaders() {
    return { Authorization: `Participant ${this.key}` };
  }

  async request(url, options) {
    if (this.keyRejected) throw new KeyRejected();
    const headers = { ...this.authHeaders(), ...(options.headers || {}) };
    const response = await fetch(url, { ...options, headers, credentials: "omit" });
    if (response.status >= 500 || response.status === 429) throw new Error(`HTTP ${response.status}`);
    if ((response.status === 401 || response.status === 403) && !(await this.keyIsValid())) {
      this.keyRejected = true;
      this.onKeyRejected?.();
      throw new KeyRejected();
    }
    return response;
  }

  // A refusal can mean a closed walk or someone else's point; a read with the key that is
  // refused too means the key itself is no longer valid.
  async keyIsValid() {
    const response = await fetch(`${this.observationsUrl}?walk=${this.walk}&limit=1`, {
      headers: { Authorization: `Participant ${this.key}` },
      credentials: "omit",
    });
    if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
    return response.status !== 401 && response.status !== 403;
  }

  // A new key after joining again: what waits is sent with it.
  useKey(key) {
    this.key = key;
    this.keyRejected = false;
    this.failures = 0;
    return this.send();
  }

  async sendAll() {
    const all = await this.store(["observations"], "readonly", (o) => promised(o.getAll()));
    const items = all.filter((i) => i.walk === this.walk && !i.errors);
    const dropped = items.filter((i) => i.deleted && i.id === null);
    if (dropped.length) {
      await this.store(["observations"], "readwrite", (o) => dropped.forEach((i) => o.delete(i.uuid)));
    }
    const fresh = items.filter((i) => i.id === null && !i.deleted).slice(0, 500);
    if (fresh.length) await this.create(fresh);
    for (const item of items.filter((i) => i.id !== null)) {
      if (item.deleted) await this.destroy(item);
      else await this.correct(item);
    }
    await this.sendPhotos();
  }

  async destroy(item) {
    const response = await this.request(`${this.observationsUrl}${item.id}/`, { method: "DELETE" });
    if (response.ok || response.status === 404) {
      // Gone from the server (or already gone): forget it here too.
      await this.store(["observations", "sent"], "readwrite", (observations, sent) => {
        observations.delete(item.uuid);
        sent.delete(item.uuid);
      });
    } else if (response.status === 400 || response.status === 403) {
      await this.rejected(item, await response.json().catch(() => ({})));
    } else throw new Error(`HTTP ${response.status}`);
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
  // `extra` is kept with it (the report page's follow-up link).
  async confirmed(item, id, extra = {}) {
    this.confirmedCount += 1;
    await this.store(["observations", "sent"], "readwrite", async (observations, sent) => {
      sent.put({ ...extra, uuid: item.uuid, id, walk: item.walk, feature: item.feature });
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
    this.onRejected?.(item, errors || {});
  }

  photosUrl(sent) {
    return `${this.observationsUrl}${sent.id}/photos/`;
  }

  async sendPhotos() {
    const photos = await this.store(["photos"], "readonly", (p) => promised(p.getAll()));
    for (const photo of photos.filter((p) => p.walk === this.walk)) {
      const sent = await this.store(["sent"], "readonly", (s) => promised(s.get(photo.uuid)));
      if (!sent) continue; // its observation has not been confirmed yet
      const form = new FormData();
      form.append("photo", photo.blob, photo.name || "photo.jpg");
      const response = await this.request(this.photosUrl(sent), { method: "POST", body: form });
      if (!response.ok && ![400, 403, 404, 409, 413].includes(response.status)) {
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
