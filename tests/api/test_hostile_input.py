# SPDX-License-Identifier: EUPL-1.2
import json

from tests.api.conftest import collection, feature
from walks.models import Observation

URL = "/api/v1/observations/"


def post(client, body, url=URL):
    return client.post(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def test_far_future(participant, walk):
    r = post(participant, feature(observed_at="9999-12-31T23:59:59-12:00"))
    print(r.status_code, r.content[:300])


def test_surrogate_text(participant, walk):
    body = json.dumps(feature(description="a\ud800b"))
    r = post(participant, body)
    print(r.status_code, r.content[:300])
    items = [feature() for _ in range(3)]
    items[1]["properties"]["description"] = "a\ud800b"
    r = post(participant, json.dumps(collection(items)))
    print(r.status_code, r.content[:600])
    items = [feature() for _ in range(3)]
    items[1]["properties"]["a\ud800b"] = 1
    r = post(participant, json.dumps(collection(items)))
    print(r.status_code, r.content[:600])


def test_deep(public, walk):
    r = post(public, "[" * 100000 + "]" * 100000, url="/api/v1/walks/join/")
    print(r.status_code, r.content[:300])


def test_picture(public, municipality):
    r = public.get(f"/api/v1/municipalities/{municipality.code}/picture/?end=0001-01-01")
    print(r.status_code, r.content[:300])
    r = public.get(f"/api/v1/municipalities/{municipality.code}/picture/?start=9999-12-31")
    print(r.status_code, r.content[:300])
