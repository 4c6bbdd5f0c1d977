"""The case queue (/workspace/): each role's reach, filters with counts, deadline order, pages,
the refresh fragment and the exports of the filtered list."""
import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.layers.conftest import build_world


@pytest.fixture
def world(db):
    return build_world()


def _get(world, role, path, **params):
    client = Client()
    if role:
        client.force_login(world.users[role])
    return client.get(path, params)


def _numbers(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-number="')[1:]]


def test_anonymous_is_sent_to_login(world):
    response = _get(world, None, "/workspace/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/workspace/")


@pytest.mark.parametrize("role", ["planner", "grid", "nobody"])
def test_roles_without_case_work_are_refused_in_chinese(world, role):
    response = _get(world, role, "/workspace/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()


def test_command_centre_sees_its_county_sorted_by_deadline(world):
    numbers = _numbers(_get(world, "command", "/workspace/"))
    own = {c.number for k, c in world.cases.items() if k != "other"}
    assert set(numbers) == own
    deadlines = {c.number: c.deadline for c in world.cases.values()}
    assert [deadlines[n] for n in numbers] == sorted(deadlines[n] for n in numbers)


def test_department_sees_only_its_reach(world):
    numbers = set(_numbers(_get(world, "department", "/workspace/")))
    from gis_app.incidents.selectors import visible_cases

    assert numbers == set(visible_cases(world.users["department"]).values_list("number", flat=True))


def test_overdue_filter_keeps_only_overdue_cases_and_counts_them(world):
    response = _get(world, "command", "/workspace/", overdue="1")
    assert _numbers(response) == [world.cases["overdue"].number]
    assert 'data-count="overdue">1<' in response.content.decode()


def test_case_both_overdue_and_escalated_shows_both_marks(world):
    html = _get(world, "command", "/workspace/rows/", overdue="1").content.decode()
    row = html.split('data-number="' + world.cases["overdue"].number)[1].split("</tr>")[0]
    assert "badge overdue" in row and "badge escalated" in row


def test_to_confirm_filter_keeps_the_near_border_queue_counts_and_marks_it(world):
    from gis_app.incidents.models import Case

    Case.objects.filter(pk=world.cases["far"].pk).update(to_confirm=True)
    response = _get(world, "command", "/workspace/", to_confirm="1")
    html = response.content.decode()
    assert _numbers(response) == [world.cases["far"].number]
    assert 'data-count="to_confirm">1<' in html and "badge to-confirm" in html


def test_free_text_finds_a_case_by_its_number(world):
    number = world.cases["far"].number
    assert _numbers(_get(world, "command", "/workspace/", q=number)) == [number]


def test_free_text_finds_cases_by_a_fragment_of_their_description(world):
    from gis_app.incidents.models import Case

    case = world.cases["far"]
    Case.objects.filter(pk=case.pk).update(description="桥头有人占道卖菜，行人无法通行")
    assert _numbers(_get(world, "command", "/workspace/", q="行人无法")) == [case.number]


def test_free_text_finds_cases_by_their_item_or_village_name(world):
    from gis_app.incidents.models import Case

    visible = Case.objects.visible_to(world.users["command"])
    case = world.cases["far"]
    by_item = set(visible.filter(item=case.item).values_list("number", flat=True))
    by_village = set(visible.filter(village=case.village).values_list("number", flat=True))
    assert set(_numbers(_get(world, "command", "/workspace/", q=case.item.name))) >= by_item
    assert set(_numbers(_get(world, "command", "/workspace/", q=case.village.name))) == by_village | {
        n for n in visible.filter(item__name__icontains=case.village.name).values_list("number", flat=True)}


def test_free_text_matching_nothing_lists_nothing(world):
    assert _numbers(_get(world, "command", "/workspace/", q="无此词语")) == []


def test_counts_per_township_ignore_the_township_choice(world):
    t1 = world.t.townships[0]
    html = _get(world, "command", "/workspace/rows/", township=t1.code).content.decode()
    others = [t for t in world.t.townships if t.pk != t1.pk and t.cases.exists()]
    assert all(f'value="{t.code}"' in html for t in others)


def test_pages_split_the_list_on_the_server(world, settings):
    settings.PAGES_QUEUE_PAGE_SIZE = 2
    first = _numbers(_get(world, "command", "/workspace/"))
    second = _numbers(_get(world, "command", "/workspace/", page="2"))
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)


@pytest.mark.parametrize("params, parameter", [({"state": "nonsense"}, "state"), ({"from": "yesterday"}, "from"),
                                               ({"page": "0"}, "page"),
                                               ({"from": "2026-12-02", "to": "2026-12-01"}, "from")])
def test_unreadable_filter_is_a_400_naming_it(world, params, parameter):
    response = _get(world, "command", "/workspace/", **params)
    assert response.status_code == 400 and f'data-parameter="{parameter}"' in response.content.decode()


def test_csv_export_holds_the_filtered_list(world):
    response = _get(world, "command", "/workspace/export.csv", overdue="1")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "案件编号" and [r[0] for r in rows[1:]] == [world.cases["overdue"].number]
    assert rows[1][rows[0].index("超期")] == "是" and rows[1][rows[0].index("督办")] == "是"


def test_xlsx_export_holds_the_filtered_list(world):
    response = _get(world, "command", "/workspace/export.xlsx", item="I002")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "案件编号" and [v[0] for v in values[1:]] == [world.cases["far"].number]


@pytest.mark.parametrize("path", ["/workspace/export.csv", "/workspace/export.xlsx"])
def test_an_export_with_an_unreadable_filter_is_a_400_naming_it(world, path):
    response = _get(world, "command", path, state="nonsense")
    assert response.status_code == 400 and 'data-parameter="state"' in response.content.decode()


def test_export_refuses_roles_without_case_work(world):
    assert _get(world, "planner", "/workspace/export.csv").status_code == 403


def test_chosen_filter_stays_selected_in_its_box(world):
    t1 = world.t.townships[0]
    html = _get(world, "command", "/workspace/rows/", township=t1.code).content.decode()
    assert f'<option value="{t1.code}" selected>' in html
