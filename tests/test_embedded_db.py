from django.db import connection

from gis_app import embedded


def test_tests_run_on_postgis(db):
    with connection.cursor() as cur:
        cur.execute("select postgis_version()")
        assert cur.fetchone()[0]
    assert connection.vendor == "postgresql"


def test_embedded_url_points_at_loopback():
    assert embedded.url().startswith("postgis://gis_app@127.0.0.1:")


def test_embedded_start_on_running_cluster_is_a_no_op():
    assert embedded.is_running()
    assert embedded.start() == embedded.url()
    assert embedded.is_running()
