// SPDX-License-Identifier: EUPL-1.2
// The report page's outbox: the walk logger's (IndexedDB, retries, photos after their
// observation), sending to /api/v1/reports/ with the browser's device id instead of a
// participant key. A report is sent once per UUID; its answer's follow-up link is kept.

import { promised } from "../walk/idb.js";
import { Outbox } from "../walk/outbox.js";

const DEVICE_KEY = "lyhty-device";

// The browser's own random id: the throttle counts per device, and a retried report
// from this browser gets its follow-up link back.
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export class ReportOutbox extends Outbox {
  constructor({ reportsUrl, onChange }) {
    super({ walk: "report", key: null, observationsUrl: reportsUrl, onChange });
    this.device = deviceId();
  }

  authHeaders() {
    return { "X-Lyhty-Device": this.device };
  }

  // No key to lose: a refusal is about the report itself.
  async keyIsValid() {
    return true;
  }

  async create(items) {
    for (const item of items) {
      const response = await this.request(this.observationsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
        body: JSON.stringify(item.feature),
      });
      if (response.ok) {
        const answer = await response.json();
        await this.confirmed(item, answer.id, { token: answer.token, followUp: answer.follow_up });
        this.onSent?.(item, answer);
      } else if (response.status === 400 || response.status === 409 || response.status === 413) {
        await this.rejected(item, await response.json().catch(() => ({})));
      } else throw new Error(`HTTP ${response.status}`);
    }
  }

  photosUrl(sent) {
    return `${this.observationsUrl}${encodeURIComponent(sent.token)}/photos/`;
  }

  // Reports this browser has sent, newest first: {id, followUp, category, observedAt}.
  async sentReports() {
    const points = await this.points();
    const sent = await this.store(["sent"], "readonly", (s) => promised(s.getAll()));
    const links = new Map(sent.filter((s) => s.walk === "report").map((s) => [s.uuid, s.followUp]));
    return points.filter((p) => p.state === "sent").map((p) => ({
      id: p.id,
      followUp: links.get(p.uuid),
      category: p.feature.properties.category,
      observedAt: p.feature.properties.observed_at,
    }));
  }
}
