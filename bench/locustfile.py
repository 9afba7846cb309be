# SPDX-License-Identifier: EUPL-1.2
"""Walkers on one evening, as the phone logger behaves: run by `bench.load` under locust.

Each simulated walker joins the walk from an address of its own (X-Forwarded-For through a
trusted proxy, as behind the municipality's TLS proxy), then logs a point every few seconds
into an outbox that is sent whole until the server answers for every item, with the same
UUIDs each time (as outbox.js does), adds a photo to one point in ten, and uploads its
recorded track every half minute. A refused or failed request is retried with a growing
delay; nothing is dropped. Every UUID made and every UUID the server confirmed is written to
the ledger file, so that the run can be checked against the database afterwards.

This file runs in locust's own virtual environment (.venv-load) and imports nothing of
Lyhty's: it speaks HTTP only, like a phone. Walkers are FastHttpUsers (geventhttpclient):
locust shares the two cores with the service, and python-requests' HttpUser spent several
times more CPU a request than the service's point post.
"""

import json
import os
import random
import time
import uuid
from pathlib import Path

import gevent
from locust import FastHttpUser, between, events, task

CODE = os.environ["LOAD_JOIN_CODE"]
# Where walkers start: points inside the municipality, drawn by PostGIS (lon,lat;lon,lat;…).
STARTS = [[float(v) for v in pair.split(",")] for pair in os.environ["LOAD_STARTS"].split(";")]
CATEGORIES = os.environ["LOAD_CATEGORIES"].split(",")
PHOTOS = sorted(Path(os.environ["LOAD_PHOTOS"]).glob("*.jpg"))
LEDGER = open(os.environ["LOAD_LEDGER"], "a", buffering=1)  # noqa: SIM115 - open for the run
MAX_DELAY = 16.0
RETRIED = {0, 429, 500, 502, 503, 504}  # 0: no answer at all (connection refused or cut)
walkers = iter(range(1, 1_000_000))
BOUNDARY = "lyhty-load-" + uuid.uuid4().hex


def multipart_photo(photo: Path) -> bytes:
    """The body of a form with one file field `photo`, as a phone's browser sends it."""
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="photo"; filename="{photo.name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    return head.encode() + photo.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()


def ledger(kind: str, value: str):
    LEDGER.write(f"{kind} {value}\n")


@events.quitting.add_listener
def close_ledger(environment, **kwargs):
    LEDGER.close()


class Walker(FastHttpUser):
    wait_time = between(5, 15)

    def on_start(self):
        number = next(walkers)
        self.address = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
        self.outbox: list[dict] = []
        self.photos: list[tuple[int, Path]] = []
        self.track: list[list[float]] = []
        self.last_track = time.monotonic()
        self.here = list(STARTS[number % len(STARTS)])
        body = {"code": CODE, "group": "residents", "privacy_accepted": True}
        answer = self.until_answered("POST", "/api/v1/walks/join/", "join", json=body)
        joined = answer.json()
        self.key = joined["key"]
        self.walk = joined["walk"]["id"]

    def until_answered(self, method, path, name, **kwargs):
        """The request again, with a growing delay, until the server gives a final answer."""
        delay = 1.0
        headers = {"X-Forwarded-For": self.address, **kwargs.pop("headers", {})}
        while True:
            with self.client.request(
                method, path, name=name, headers=headers, catch_response=True, **kwargs
            ) as response:
                if response.status_code not in RETRIED:
                    if response.status_code >= 400:
                        response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                    return response
                if response.status_code == 429:
                    # Deliberate: the throttle. Counted apart, not as an error.
                    response.success()
                    events.request.fire(
                        request_type="THROTTLED",
                        name=name,
                        response_time=0,
                        response_length=0,
                        exception=None,
                        context={},
                    )
                else:
                    response.failure(f"HTTP {response.status_code}, retried")
            gevent.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
            delay = min(MAX_DELAY, delay * 2)

    def authorised(self):
        return {"Authorization": f"Participant {self.key}"}

    def step(self):
        """Some 20 metres on, as a group walks."""
        self.here = [
            self.here[0] + random.uniform(-0.0003, 0.0003),  # noqa: S311
            self.here[1] + random.uniform(-0.00015, 0.00015),  # noqa: S311
        ]
        self.track.append(list(self.here))

    @task
    def log_a_point(self):
        self.step()
        point_uuid = str(uuid.uuid4())
        ledger("made", point_uuid)
        self.outbox.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": self.here},
                "properties": {
                    "uuid": point_uuid,
                    "category": random.choice(CATEGORIES),  # noqa: S311
                    "position_source": "gps",
                    "accuracy_m": 8.0,
                    "light_condition": "dark",
                },
            }
        )
        if random.random() < 0.1:  # noqa: S311
            self.photos.append((point_uuid, random.choice(PHOTOS)))  # noqa: S311
        self.send_outbox()
        if time.monotonic() - self.last_track > 30 and len(self.track) >= 2:
            self.send_track()

    def send_outbox(self):
        body = json.dumps({"type": "FeatureCollection", "features": self.outbox})
        response = self.until_answered(
            "POST",
            "/api/v1/observations/",
            "points",
            data=body,
            headers={**self.authorised(), "Content-Type": "application/json"},
        )
        if response.status_code != 200:
            return  # refused for good: seen in the failures, the outbox waits for a new key
        confirmed = {}
        for item, answer in zip(self.outbox, response.json(), strict=True):
            if answer["result"] in ("created", "exists"):
                ledger("confirmed", item["properties"]["uuid"])
                confirmed[item["properties"]["uuid"]] = answer["id"]
            else:
                # Refused for good (the logger shows why and keeps it aside): not sent again.
                ledger("rejected", f"{item['properties']['uuid']} {json.dumps(answer)}")
        self.outbox = []
        for point_uuid, photo in [p for p in self.photos if p[0] in confirmed]:
            answer = self.until_answered(
                "POST",
                f"/api/v1/observations/{confirmed[point_uuid]}/photos/",
                "photo",
                # Bytes, not a file: a retry sends them again from the start.
                data=multipart_photo(photo),
                headers={
                    **self.authorised(),
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                },
            )
            if answer.status_code in (200, 201):
                ledger("photo", point_uuid)
        self.photos = [p for p in self.photos if p[0] not in confirmed]

    def send_track(self):
        self.last_track = time.monotonic()
        self.until_answered(
            "PUT",
            f"/api/v1/walks/{self.walk}/track/",
            "track",
            json={"type": "LineString", "coordinates": self.track[-2000:]},
            headers=self.authorised(),
        )

    def on_stop(self):
        # What waits in the outbox is sent before the phone is put away.
        if self.outbox:
            self.send_outbox()
