# SPDX-License-Identifier: EUPL-1.2
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import photos
from api.exports import ExportView
from api.views import (
    clusters,
    heatmap,
    observations,
    picture,
    plans,
    reference,
    reports,
    surveys,
    walks,
)

v1 = [
    path("municipalities/", reference.MunicipalityList.as_view(), name="municipality-list"),
    path(
        "municipalities/<str:code>/",
        reference.MunicipalityDetail.as_view(),
        name="municipality-detail",
    ),
    path("districts/", reference.DistrictList.as_view(), name="district-list"),
    path("districts/<id:id>/", reference.DistrictDetail.as_view(), name="district-detail"),
    path("districts/<id:id>/picture/", picture.DistrictPicture.as_view(), name="district-picture"),
    path(
        "municipalities/<str:code>/picture/",
        picture.MunicipalityPicture.as_view(),
        name="municipality-picture",
    ),
    path("themes/", reference.ThemeList.as_view(), name="theme-list"),
    path("categories/", reference.CategoryList.as_view(), name="category-list"),
    path("walks/", walks.WalkList.as_view(), name="walk-list"),
    path("walks/join/", walks.JoinWalk.as_view(), name="walk-join"),
    path("walks/<id:id>/", walks.WalkDetail.as_view(), name="walk-detail"),
    path("walks/<id:id>/track/", walks.WalkTrack.as_view(), name="walk-track"),
    path("observations/", observations.ObservationList.as_view(), name="observation-list"),
    path(
        "observations/<id:id>/",
        observations.ObservationDetail.as_view(),
        name="observation-detail",
    ),
    path(
        "observations/<id:id>/history/",
        observations.ObservationHistory.as_view(),
        name="observation-history",
    ),
    path(
        "observations/<id:id>/transition/",
        observations.ObservationTransition.as_view(),
        name="observation-transition",
    ),
    path(
        "observations/<id:id>/moderation/",
        reports.ObservationModeration.as_view(),
        name="observation-moderation",
    ),
    path("reports/", reports.ReportCreate.as_view(), name="report-create"),
    path("reports/nearby/", reports.ReportsNearby.as_view(), name="report-nearby"),
    path("reports/support/", reports.ReportSupport.as_view(), name="report-support"),
    path("reports/<str:token>/", reports.ReportFollowUp.as_view(), name="report-detail"),
    path("reports/<str:token>/photos/", reports.ReportPhotos.as_view(), name="report-photos"),
    path(
        "reports/<str:token>/unsubscribe/",
        reports.ReportUnsubscribe.as_view(),
        name="report-unsubscribe-api",
    ),
    path(
        "observations/<id:pk>/photos/",
        photos.PhotoListCreate.as_view(),
        name="observation-photos",
    ),
    path("photos/<id:pk>/", photos.PhotoDetail.as_view(), name="photo-detail"),
    path("photos/<id:pk>/image", photos.PhotoImage.as_view(), name="photo-image"),
    path("photos/<id:pk>/thumbnail", photos.PhotoThumbnail.as_view(), name="photo-thumbnail"),
    path("clusters/", clusters.ClusterView.as_view(), name="observation-clusters"),
    path("heatmap/", heatmap.HeatmapView.as_view(), name="heatmap"),
    path(
        "heatmap/incidents/",
        heatmap.IncidentHeatmapView.as_view(),
        name="incident-heatmap",
    ),
    path("plans/", plans.PlanList.as_view(), name="plan-list"),
    path("plans/<id:id>/", plans.PlanDetail.as_view(), name="plan-detail"),
    path("actions/", plans.ActionCreateView.as_view(), name="action-create"),
    path("actions/<id:id>/", plans.ActionDetail.as_view(), name="action-detail"),
    path("surveys/", surveys.SurveyList.as_view(), name="survey-list"),
    path("surveys/<slug:slug>/", surveys.SurveyDetail.as_view(), name="survey-detail"),
    path(
        "surveys/<slug:slug>/responses/",
        surveys.SurveyResponses.as_view(),
        name="survey-responses",
    ),
    path("surveys/<slug:slug>/results/", surveys.SurveyResults.as_view(), name="survey-results"),
    path(
        "surveys/<slug:slug>/exports/<slug:layer>.<str:fmt>",
        surveys.SurveyExport.as_view(),
        name="survey-export",
    ),
    # `fmt`, not `format`: DRF claims a `format` URL part for its own negotiation.
    path("exports/<slug:layer>.<str:fmt>", ExportView.as_view(), name="export"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include(v1)),
]
