"""The second database session a batch read in pieces uses (enforcement/sessions.py)."""
import pytest

from gis_app.enforcement import locate, routing, sessions
from gis_app.enforcement.routing import route_points
from tests.enforcement.helpers import NOW, at
from tests.territory import make_territory


@pytest.mark.django_db(transaction=True)
def test_a_batch_in_pieces_reads_on_a_second_session_kept_for_the_next_batch(monkeypatch):
    make_territory()
    monkeypatch.setattr(locate, "PIECE_POINTS", 20)
    monkeypatch.setattr(routing, "PIECE_POINTS", 20)
    points = [at(120.0005 + i * 0.0013, 30.0005 + (i % 7) * 0.011) for i in range(90)]
    began = []
    real = sessions.begin
    monkeypatch.setattr(sessions, "begin", lambda *args: began.append(real(*args)) or began[-1])
    for _ in range(2):
        route_points(points, ["I001"] * len(points), now=NOW)
    assert began[0] is not None and began[1] is began[0]
