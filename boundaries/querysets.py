"""Reads of the territory that other layers reuse, as QuerySet methods (one home each).

- `HubArea.objects.geometry()`: the expression of a hub area's geometry (its hub and
  covered townships' union), built by PostGIS per row; REST and map layers both use it;
- `HubArea.objects.in_bbox(polygon)`: hub areas touching a box, by indexed lookups on the
  township geometries (never on the per-row union);
- `Grid.objects.covering(point)`: the grid(s) whose polygon covers a point.
"""
from __future__ import annotations

from django.contrib.gis.db.models import MultiPolygonField, Union
from django.db import models
from django.db.models import Func, OuterRef, Q, Subquery


class HubAreaQuerySet(models.QuerySet):
    def geometry(self) -> Func:
        """Per hub area: ST_Multi(ST_Union) of its hub and covered townships (MultiPolygon).

        An expression to annotate with (or hand to a geometry output), not a queryset: a
        correlated subquery keeps it one statement for any number of rows."""
        Township = self.model.hub.field.related_model
        members = self.model.covered.through.objects.filter(hubarea_id=OuterRef(OuterRef("pk")))
        townships = (Township.objects
                     .filter(Q(pk=OuterRef("hub_id")) | Q(pk__in=members.values("township_id")))
                     .order_by().values("county_id").annotate(union=Union("geom")).values("union"))
        return Func(Subquery(townships, output_field=MultiPolygonField(srid=4326)), function="ST_Multi",
                    output_field=MultiPolygonField(srid=4326))

    def in_bbox(self, polygon, exact: bool = True) -> HubAreaQuerySet:
        """Hub areas whose hub or a covered township intersects `polygon` (WGS84); with
        `exact=False` bounding boxes overlapping is enough (vector tiles clip anyway)."""
        lookup = "intersects" if exact else "bboverlaps"
        through = self.model.covered.through.objects.filter(**{f"township__geom__{lookup}": polygon})
        return self.filter(Q(**{f"hub__geom__{lookup}": polygon}) | Q(pk__in=through.values("hubarea_id")))

    def serving(self, township_id: int) -> HubAreaQuerySet:
        """Hub areas whose hub is, or which cover, township `township_id`."""
        through = self.model.covered.through.objects.filter(township_id=township_id)
        return self.filter(Q(hub_id=township_id) | Q(pk__in=through.values("hubarea_id")))


class GridQuerySet(models.QuerySet):
    def covering(self, point) -> GridQuerySet:
        """Grids whose polygon covers `point` (a WGS84 GEOS point; its edge included)."""
        return self.filter(geom__covers=point)
