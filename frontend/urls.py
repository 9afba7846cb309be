# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from frontend import landing, public_map, reports, survey_views, views, walk_views, workspace

urlpatterns = [
    path("", landing.landing, name="landing"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("walk/", views.walk_start, name="walk-start"),
    path("walk/join/<str:code>/", views.walk_logger, name="walk-logger"),
    path("walk/join/<str:code>/qr.svg", walk_views.walk_qr, name="walk-qr"),
    path("walk/join/<str:code>/poster/", walk_views.walk_poster, name="walk-poster"),
    # Served from /walk/ rather than /static/ so that the worker's scope covers the logger.
    path("walk/sw.js", views.walk_service_worker, name="walk-sw"),
    path("walk/manifest.webmanifest", views.walk_manifest, name="walk-manifest"),
    path("survey/sw.js", survey_views.survey_service_worker, name="survey-sw"),
    path("survey/<slug:slug>/", survey_views.survey_page, name="survey-page"),
    path("public/", public_map.public_map, name="public-map"),
    path("report/", reports.report_page, name="report"),
    path("report/follow/<str:token>/", reports.report_follow_up, name="report-follow-up"),
    path("report/unsubscribe/<str:token>/", reports.report_unsubscribe, name="report-unsubscribe"),
    path("login/", workspace.LoginView.as_view(), name="login"),
    path("logout/", workspace.LogoutView.as_view(), name="logout"),
    path("map/", workspace.map_workspace, name="map-workspace"),
    path("map/walks/", workspace.walk_lines, name="map-walks"),
    path("map/observations/<id:id>/", workspace.observation_detail, name="map-observation"),
]
