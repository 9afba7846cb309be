# SPDX-License-Identifier: EUPL-1.2
"""Photos of an observation: list them, add one (multipart, field `photo`).

POST /api/v1/observations/<pk>/photos/  -> 201 {id, url, thumbnail_url, width, height}
                                           200 with the same body when the bytes were
                                           already sent (a phone's retry is safe)
GET  /api/v1/observations/<pk>/photos/  -> the observation's photos
GET  /api/v1/photos/<pk>/               -> one photo
GET  /api/v1/photos/<pk>/image          -> the image itself (JPEG, EXIF stripped)
GET  /api/v1/photos/<pk>/thumbnail      -> its thumbnail (JPEG)

MEDIA is not served by itself: the image and its thumbnail stream through these two views,
which ask the same question as the observation (whoever may read it sees its photos).

Errors: 400 {"photo": [...]} for a missing file, a file that is not an image or one with
too many pixels; 413 {"photo": [...]} for one over PHOTO_MAX_BYTES. Nothing is stored then.
An observation the caller may not see is 404; one they may see but not add to is 403.
"""

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.permissions import DecidedPerObservation, may_add_photo, may_view_photos
from api.schemas import BAD_REQUEST, FORBIDDEN, ID, NOT_FOUND, PHOTO_UPLOAD, errors
from walks.models import Observation, Photo
from walks.photos import PhotoRejected, store_photo

TAG = ["photos"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "url", "thumbnail_url", "width", "height"]
        read_only_fields = fields

    def _absolute(self, name, photo) -> str:
        request = self.context.get("request")
        url = reverse(name, kwargs={"pk": photo.pk})
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, photo) -> str:
        return self._absolute("photo-image", photo)

    def get_thumbnail_url(self, photo) -> str:
        return self._absolute("photo-thumbnail", photo)


class UploadLimitHandler(FileUploadHandler):
    """Pass an upload's chunks on only until they exceed PHOTO_MAX_BYTES.

    The request body is still read to its end, but the handlers after this one (memory or
    temporary file) keep at most the limit plus one chunk, which is enough for the service
    to see that the file is too large, instead of writing a huge upload to disk.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.PHOTO_MAX_BYTES
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        passing = self.received <= self.limit
        self.received += len(raw_data)
        return raw_data if passing else None

    def file_complete(self, file_size):
        return None


def store_upload(request, observation, *, limit=None):
    """Store the request's `photo` on the observation: (photo, created, None), or
    (None, False, the error Response) with nothing stored. With a `limit` (a resident's
    report), one photo more than that is refused, unless the same bytes are already there."""
    uploaded = request.FILES.get("photo")
    if uploaded is None:
        refused = Response(
            {"photo": [_("Choose a photo to send.")]}, status=status.HTTP_400_BAD_REQUEST
        )
        return None, False, refused
    if limit is not None and observation.photos.count() >= limit:
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        uploaded.seek(0)
        stored = observation.photos.filter(sha256=digest.hexdigest()).first()
        if stored is not None:
            return stored, False, None
        refused = Response(
            {"photo": [_("A report takes at most %(max)d photos.") % {"max": limit}]},
            status=status.HTTP_409_CONFLICT,
        )
        return None, False, refused
    try:
        photo, created = store_photo(observation, uploaded)
    except PhotoRejected as rejected:
        code = (
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            if rejected.code == PhotoRejected.TOO_LARGE
            else status.HTTP_400_BAD_REQUEST
        )
        return None, False, Response({"photo": [rejected.message]}, status=code)
    return photo, created, None


def viewable_photo(request, pk) -> Photo:
    """The photo, for whoever may read its observation; a 404 for anyone else, as if the
    photo did not exist."""
    photo = get_object_or_404(Photo.objects.select_related("observation__walk"), pk=pk)
    if not may_view_photos(request, photo.observation):
        raise NotFound()
    return photo


class ObservationPhotoMixin:
    permission_classes = [DecidedPerObservation]
    serializer_class = PhotoSerializer
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        # Before anything (authentication's CSRF check included) parses the body.
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        super().initial(request, *args, **kwargs)

    def get_observation(self) -> Observation:
        observation = (
            Observation.objects.select_related("walk").filter(pk=self.kwargs["pk"]).first()
        )
        if observation is None or not may_view_photos(self.request, observation):
            raise NotFound()
        return observation


class PhotoListCreate(ObservationPhotoMixin, generics.GenericAPIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return Photo.objects.filter(observation=self.get_observation())

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="An observation's photos, oldest first",
        description="Whoever may read the observation sees its photos.",
        responses={200: PhotoSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        photos = self.get_queryset()
        return Response(self.get_serializer(photos, many=True).data)

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Add a photo to an observation (multipart, field `photo`)",
        description="Staff, planners and administrators add to any observation, a walk "
        "participant to their own while the walk is open. Idempotent by content: sending the "
        "same bytes again answers 200 with the stored photo. Nothing is stored on an error.",
        request=PHOTO_UPLOAD,
        responses={
            201: OpenApiResponse(PhotoSerializer, description="Stored."),
            200: OpenApiResponse(PhotoSerializer, description="Already stored: the same photo."),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            413: errors("The photo is larger than PHOTO_MAX_BYTES."),
        },
    )
    def post(self, request, *args, **kwargs):
        observation = self.get_observation()
        if not may_add_photo(request, observation):
            raise PermissionDenied(_("You may not add photos to this observation."))
        photo, created, refused = store_upload(request, observation)
        if refused is not None:
            return refused
        return Response(
            self.get_serializer(photo).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PhotoDetail(ObservationPhotoMixin, generics.GenericAPIView):
    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="One photo",
        responses={200: PhotoSerializer, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        photo = viewable_photo(request, kwargs["pk"])
        return Response(self.get_serializer(photo).data)


class PhotoFile(generics.GenericAPIView):
    """The stored JPEG of a photo (`image`) or of its thumbnail, for whoever may read the
    observation; a 404 for anyone else, as if the photo did not exist."""

    permission_classes = [DecidedPerObservation]
    field = "image"

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="A photo's image (JPEG)",
        responses={(200, "image/jpeg"): OpenApiResponse(description="JPEG"), 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        photo = viewable_photo(request, kwargs["pk"])
        stored = getattr(photo, self.field)
        try:
            stream = stored.open("rb")
        except FileNotFoundError:
            raise NotFound() from None
        response = FileResponse(stream, content_type="image/jpeg")
        # The same bytes forever (the name is their hash), but only for this caller.
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PhotoImage(PhotoFile):
    field = "image"


class PhotoThumbnail(PhotoFile):
    field = "thumbnail"

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="A photo's thumbnail (JPEG)",
        responses={(200, "image/jpeg"): OpenApiResponse(description="JPEG"), 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
