# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("walk/", views.walk_start, name="walk-start"),
    path("walk/join/<str:code>/", views.walk_logger, name="walk-logger"),
    # Served from /walk/ rather than /static/ so that the worker's scope covers the logger.
    path("walk/sw.js", views.walk_service_worker, name="walk-sw"),
    path("walk/manifest.webmanifest", views.walk_manifest, name="walk-manifest"),
]
