// SPDX-License-Identifier: EUPL-1.2
// The participant's own route, recorded only when they switch it on. Positions are thinned
// (a new one is kept when the phone has moved at least 10 m with a usable fix), kept in
// IndexedDB so that a reload or a dead battery loses nothing, and the whole track so far is
// uploaded with PUT: the last upload replaces the one before, so every retry is safe.
import { committed, openDatabase, promised } from "./idb.js";
import { KeyRejected } from "./outbox.js";

const DB_NAME = "lyhty-track";
const MIN_STEP_M = 10;
const WORST_ACCURACY_M = 50;
const UPLOAD_EVERY_MS = 15000;
const MAX_POSITIONS = 20000; // the server's limit

function openTracks() {
  // walk id → {walk, positions: [[lon, lat]], sent: how many the server has}
  return openDatabase(DB_NAME, (db) => db.createObjectStore("tracks", { keyPath: "walk" }));
}

function metres(a, b) {
  const rad = Math.PI / 180;
  const dy = (b[1] - a[1]) * 111320;
  const dx = (b[0] - a[0]) * 111320 * Math.cos(a[1] * rad);
  return Math.hypot(dx, dy);
}

export class TrackRecorder {
  constructor({ walk, key, url, outbox, onChange }) {
    this.walk = walk;
    this.key = key;
    this.url = url;
    this.outbox = outbox; // knows whether the key is still valid
    this.onChange = onChange || (() => {});
    this.db = openTracks();
    this.track = null;
    this.on = false;
    this.lastUpload = 0;
    this.timer = null;
    this.uploading = null;
    window.addEventListener("online", () => this.upload());
    document.addEventListener("visibilitychange", () => document.hidden && this.upload());
  }

  async load() {
    const db = await this.db;
    this.track = (await promised(db.transaction("tracks").objectStore("tracks").get(this.walk))) || {
      walk: this.walk,
      positions: [],
      sent: 0,
    };
    return this.track;
  }

  async save() {
    const db = await this.db;
    const transaction = db.transaction("tracks", "readwrite");
    transaction.objectStore("tracks").put(this.track);
    await committed(transaction);
  }

  async start() {
    await this.load();
    this.on = true;
    this.onChange(this.status());
    this.upload();
  }

  async stop() {
    this.on = false;
    clearTimeout(this.timer);
    await this.upload(); // what was recorded reaches the server
    this.onChange(this.status());
  }

  status() {
    const { positions = [], sent = 0 } = this.track || {};
    return { on: this.on, kept: positions.length, sent, closed: Boolean(this.closed) };
  }

  // A position from the logger's watchPosition.
  async add(coords) {
    if (!this.on || !this.track) return;
    if (coords.accuracy > WORST_ACCURACY_M) return;
    const round = (value) => Math.round(value * 1e6) / 1e6;
    const position = [round(coords.longitude), round(coords.latitude)];
    const positions = this.track.positions;
    const last = positions[positions.length - 1];
    if (last && metres(last, position) < MIN_STEP_M) return;
    if (positions.length >= MAX_POSITIONS) return;
    positions.push(position);
    await this.save();
    this.onChange(this.status());
    this.schedule();
  }

  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastUpload + UPLOAD_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.upload();
    }, wait);
  }

  useKey(key) {
    this.key = key;
    return this.upload();
  }

  // PUT the whole track, if the server lacks some of it; a failure waits for the next turn.
  upload() {
    if (this.uploading) return this.uploading.then(() => this.upload());
    this.uploading = this.send()
      .catch(() => {
        if (this.on) this.schedule();
      })
      .finally(() => {
        this.uploading = null;
        this.onChange(this.status());
      });
    return this.uploading;
  }

  async send() {
    const track = this.track || (await this.load());
    const count = track.positions.length;
    if (count < 2 || count === track.sent || this.closed || !navigator.onLine) return;
    if (this.outbox.keyRejected) throw new KeyRejected();
    this.lastUpload = Date.now();
    const response = await fetch(this.url, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Participant ${this.key}` },
      body: JSON.stringify({ type: "LineString", coordinates: track.positions.slice(0, count) }),
      credentials: "omit",
    });
    if (response.status === 409) {
      this.closed = true;
      return;
    }
    if ((response.status === 401 || response.status === 403) && !(await this.outbox.keyIsValid())) {
      this.outbox.keyRejected = true;
      this.outbox.onKeyRejected?.();
      throw new KeyRejected();
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    track.sent = count;
    await this.save();
  }
}
