# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from django.urls import include, path, register_converter
from django.urls.converters import IntConverter

from frontend.signin import AdminSignInForm
from ogc.qgis import QGISProject
from operations.health import health
from operations.views import privacy

# The admin's sign-in is throttled like the site's (frontend/signin.py).
admin.site.login_form = AdminSignInForm


class IdConverter(IntConverter):
    """A database id: at most 18 digits, so a longer number is a 404, not a bigint overflow."""

    regex = "[0-9]{1,18}"


# Registered before the apps' URL modules are included: they all use <id:…>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("privacy/<str:code>/", privacy, name="privacy"),
    # Before the API's exports/<layer>.<format>: the project is the OGC app's (ogc/qgis.py).
    path("api/v1/exports/qgis-project.qgz", QGISProject.as_view(), name="export-qgis-project"),
    path("api/", include("api.urls")),
    path("ogc/", include("ogc.urls")),
    path("tiles/", include("ogc.tiles")),
    path("", include("plans.urls")),
    path("", include("frontend.urls")),
]
