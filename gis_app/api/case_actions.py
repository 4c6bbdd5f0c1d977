"""What is done to one case over REST: its steps, its replay, its attachments (a mixin of
CaseViewSet, gis_app/api/cases.py). Thin: every decision is in gis_app/incidents.

- `POST /api/cases/{id}/{step}/` with `version` (optimistic lock: 409 when stale), `note`,
  `team` (transfer), optional `lon`/`lat`/`crs` of where the officer is, multipart `before`/
  `after` photos (处置);
- `GET /api/cases/{id}/replay/`: the decision as made and as it would be made today;
- `GET|POST /api/cases/{id}/attachments/`, `GET /api/cases/{id}/attachments/{n}/`.
"""
from __future__ import annotations

from django.contrib.gis.geos import Point
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gis_app.api.case_serializers import CaseDetailSerializer, attachment_dict
from gis_app.api.schemas import Attachment as AttachmentAnswer
from gis_app.api.schemas import AttachmentUpload, ReplayAnswer, StepBody
from gis_app.incidents import loop, photos
from gis_app.incidents.models import Attachment, Case
from gis_app.incidents.photos import check_uploads
from gis_app.incidents.replay import replay as replay_case
from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.steps import STEP_FUNCTIONS, step_kwargs
from gis_app.incidents.workflow import STEPS
from gis_app.web.errors import NotFound
from gis_app.web.params import number_value
from gis_app.web.points import body_point
from gis_app.web.refusal_text import localize, wants_english

STEP_NAMES = tuple(STEPS)


class CaseActionsMixin:
    """The per-case actions of CaseViewSet; `_detail` (the case after the user's write) is the
    view set's."""

    @extend_schema(responses={200: ReplayAnswer})
    @action(detail=True, methods=["get"], url_path="replay")
    def replay(self, request, pk=None):
        """The routing decision re-run in the case's own territory generation and rule version
        (from the archive) and as the router would make it today, with what differs."""
        answer = replay_case(self._reachable(pk))
        english = wants_english(request)
        for side in ("as_made", "today"):    # a refusal inside the answer reads like any other
            if answer[side]["refused"]:
                answer[side]["refused"] = localize(answer[side]["refused"], english)
        return Response(answer)

    @extend_schema(request={"application/json": StepBody}, responses={200: CaseDetailSerializer},
                   operation_id="cases_step",
                   parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=STEP_NAMES)])
    @action(detail=True, methods=["post"], url_path=f"(?P<step>{'|'.join(STEP_NAMES)})")
    def step(self, request, pk=None, step=None):
        """Take one step of the loop; `version` is the case version you acted on.

        Multipart `before` and `after` files (处置's photos; also accepted with 到场) are
        stored with the step in its transaction. 到场 with `lon`/`lat` records how far from the
        case the officer stands (`distance_m`, `far` in the event's changes).
        """
        case = self._reachable(pk)
        where = body_point(request.data, required=False)
        version = request.data.get("version")
        if version is not None:
            version = int(number_value(version, "version"))
        kwargs = step_kwargs(STEPS[step], request.data)
        photos = _stage_photos(request)
        if photos and step in loop.STEP_FUNCTIONS:  # the loop's steps take photos (处置)
            kwargs["photos"] = photos
        case = STEP_FUNCTIONS[step](
            case=case, user=request.user, version=version, note=request.data.get("note", ""),
            where=Point(where.lon, where.lat, srid=4326) if where else None, **kwargs)
        return self._detail(case)

    def _reachable(self, pk) -> Case:
        case = visible_cases(self.request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound(f"no case {pk} within this account's reach")
        return case

    @extend_schema(methods=["GET"], responses={200: AttachmentAnswer(many=True)}, operation_id="cases_attachments_list")
    @extend_schema(methods=["POST"], request={"multipart/form-data": AttachmentUpload},
                   responses={201: AttachmentAnswer}, operation_id="cases_attachments_create")
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser],
            pagination_class=None)
    def attachments(self, request, pk=None):
        """List a case's attachments, or add one (multipart `file`: JPEG, PNG, PDF or MP4)."""
        case = self._reachable(pk)
        if request.method == "GET":
            return Response([attachment_dict(a, request) for a in case.attachments.all()])
        attachment = photos.attachment_add(case=case, user=request.user, upload=request.FILES.get("file"))
        return Response(attachment_dict(attachment, request), status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="cases_attachment_download", responses={200: OpenApiTypes.BINARY},
                   parameters=[OpenApiParameter("n", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<n>\d+)")
    def attachment(self, request, pk=None, n=None):
        case = self._reachable(pk)
        attachment = case.attachments.filter(pk=n).first()
        if attachment is None:
            raise NotFound(f"no attachment {n} on case {case.number}")
        if not attachment.file:
            raise NotFound(f"attachment {n} of case {case.number} is a link, kept at {attachment.source_url}")
        return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=False, filename=attachment.filename)


def _stage_photos(request) -> list:
    """(stage, Photo) pairs from multipart `before` and `after` files, all checked first."""
    before, after = request.FILES.getlist("before"), request.FILES.getlist("after")
    checked_before = check_uploads(before, parameter="before")
    checked_after = check_uploads(after, parameter="after")
    return [(Attachment.Stage.BEFORE, p) for p in checked_before] + \
        [(Attachment.Stage.AFTER, p) for p in checked_after]
