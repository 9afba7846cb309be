# SPDX-License-Identifier: EUPL-1.2
"""`/health/` for the municipality's monitoring: 200 when the instance can serve, else 503."""


def test_it_says_ok_when_database_cache_and_media_work(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "media": "ok",
    }
    assert "no-cache" in response["Cache-Control"]
    assert list((tmp_path / "media").rglob("*.txt")) == []  # its probe file is gone


def test_it_fails_when_media_cannot_be_written(client, db, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["media"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"
    assert "not-a-folder" not in response.content.decode()  # reasons go to the log only


def test_it_fails_when_the_cache_is_gone(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_cache_table",
        }
    }
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "failing"


def test_it_only_answers_get(client, db):
    assert client.post("/health/").status_code == 405
