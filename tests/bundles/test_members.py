"""Staff as data: a members file creates and updates accounts all or nothing, prints one-time
first-login links, and deactivates (never deletes) members left out."""
import re

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from gis_app.bundles.members import import_members
from gis_app.bundles.problems import BundleRejected
from gis_app.enforcement.models import Member
from tests.bundle_writer import write_table
from tests.territory import make_territory
from tests.users import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def county():
    return make_territory()


def rows(t):
    grid1, grid2 = t.grids[0].code, t.grids[1].code
    return [
        {"username": "wang.wg", "name": "王网格", "phone": "13800000001", "role": "grid_member", "team": "",
         "department": "", "grids": f"{grid1};{grid2}"},
        {"username": "li.team", "name": "李队员", "phone": "", "role": "乡镇执法队员",
         "team": t.teams[t.townships[0].code].code, "department": "", "grids": ""},
        {"username": "zhao.sc", "name": "赵科长", "phone": "0580-1234567", "role": "department", "team": "",
         "department": "SCJG", "grids": ""},
        {"username": "chen.zx", "name": "陈值班", "phone": "", "role": "指挥中心", "team": "",
         "department": "", "grids": ""},
    ]


def members_file(tmp_path, data, name="members.csv"):
    path = tmp_path / name
    if name.endswith(".xlsx"):
        pd.DataFrame(data).to_excel(path, index=False)
    else:
        write_table(path, data, list(data[0]) if data else None)
    return path


def test_a_members_file_creates_accounts_with_their_place(county, tmp_path):
    result = import_members(members_file(tmp_path, rows(county)), county_code="990101")
    assert sorted(result.created) == ["chen.zx", "li.team", "wang.wg", "zhao.sc"]
    wang = Member.objects.get(user__username="wang.wg")
    assert (wang.role, wang.user.first_name, wang.phone) == ("grid_member", "王网格", "13800000001")
    assert sorted(wang.grids.values_list("code", flat=True)) == [county.grids[0].code, county.grids[1].code]
    assert Member.objects.get(user__username="li.team").team.code == f"T{county.townships[0].code}"
    assert Member.objects.get(user__username="chen.zx").role == "command_centre"


def test_new_accounts_have_no_password_but_a_one_time_first_login_link(county, tmp_path, client):
    result = import_members(members_file(tmp_path, rows(county)), county_code="990101")
    user = User.objects.get(username="wang.wg")
    assert not user.has_usable_password()
    link = result.links["wang.wg"]
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Wg-2026-secret",
                                                    "new_password2": "Wg-2026-secret"})
    assert done.status_code == 302
    assert User.objects.get(username="wang.wg").check_password("Wg-2026-secret")
    again = client.get(link, follow=True)
    assert "new_password1" not in again.content.decode()  # used once: the link no longer works


def test_a_second_load_updates_and_deactivates_those_left_out(county, tmp_path):
    import_members(members_file(tmp_path, rows(county)), county_code="990101")
    changed = [{**rows(county)[0], "phone": "13900000009"}] + rows(county)[1:3]
    result = import_members(members_file(tmp_path, changed, "second.csv"), county_code="990101")
    assert (result.created, sorted(result.updated), result.deactivated) == \
        ([], ["li.team", "wang.wg", "zhao.sc"], ["chen.zx"])
    chen = User.objects.get(username="chen.zx")
    assert not chen.is_active and Member.objects.filter(user=chen).exists()  # kept, not deleted
    assert Member.objects.get(user__username="wang.wg").phone == "13900000009"


def test_existing_passwords_are_kept(county, tmp_path):
    make_user("zhao.sc", "department", county.county, department=county.departments["SCJG"])
    result = import_members(members_file(tmp_path, rows(county)), county_code="990101")
    assert User.objects.get(username="zhao.sc").check_password("pw")
    assert "zhao.sc" not in result.links


def test_a_file_with_a_mistake_is_refused_whole(county, tmp_path):
    bad = rows(county)
    bad[0] = {**bad[0], "grids": "990101999999999"}
    bad[2] = {**bad[2], "role": "boss"}
    bad[3] = {**bad[3], "username": "wang.wg"}
    with pytest.raises(BundleRejected) as caught:
        import_members(members_file(tmp_path, bad), county_code="990101")
    problems = [str(p) for p in caught.value.report.problems]
    assert any("row 2" in p and "grids" in p and "990101999999999" in p for p in problems)
    assert any("row 4" in p and "role" in p and "boss" in p for p in problems)
    assert any("row 5" in p and "username" in p and "row 2" in p for p in problems)
    assert not User.objects.filter(username__in=["li.team", "wang.wg"]).exists()  # nothing written


def test_each_role_needs_its_place(county, tmp_path):
    bad = rows(county)
    bad[0] = {**bad[0], "grids": ""}
    bad[1] = {**bad[1], "team": "TSCJG"}  # a department's team, not a township team
    bad[2] = {**bad[2], "department": ""}
    with pytest.raises(BundleRejected) as caught:
        import_members(members_file(tmp_path, bad), county_code="990101")
    fields = {(p.where, p.field) for p in caught.value.report.problems}
    assert {("row 2", "grids"), ("row 3", "team"), ("row 4", "department")} <= fields


def test_a_member_of_another_county_is_not_taken_over(county, tmp_path):
    other = make_territory(code="990102", name="邻县", origin=(121.0, 30.0))
    make_user("chen.zx", "command_centre", other.county)
    with pytest.raises(BundleRejected) as caught:
        import_members(members_file(tmp_path, rows(county)), county_code="990101")
    assert any("another county" in str(p) for p in caught.value.report.problems)


def test_an_xlsx_file_is_read_too(county, tmp_path):
    result = import_members(members_file(tmp_path, rows(county), "members.xlsx"), county_code="990101")
    assert len(result.created) == 4


def test_the_command_prints_the_links_and_refuses_a_bad_file(county, tmp_path, capsys):
    call_command("import_members", str(members_file(tmp_path, rows(county))), "--county", "990101",
                 "--base-url", "https://zhihui.example.cn")
    out = capsys.readouterr().out
    assert "4 created, 0 updated, 0 deactivated" in out
    assert re.search(r"wang\.wg  https://zhihui\.example\.cn/first-login/\w+/[\w-]+/", out)
    with pytest.raises(CommandError, match="members file refused"):
        call_command("import_members", str(members_file(tmp_path, [{**rows(county)[0], "role": "x"}], "b.csv")),
                     "--county", "990101")
