"""Project pages: the list with colours, the page with its stages, a problem raised from the page
becoming an appeal whose page links back."""

from datetime import date

import pytest
from django.urls import reverse

from zhuqi.appeals.models import Appeal
from zhuqi.core import findings
from zhuqi.projects import warnings as project_warnings

pytestmark = pytest.mark.django_db


def test_problem_raised_on_the_page_is_an_appeal_linked_both_ways(client, world, make_project, categories):
    project = make_project()
    client.force_login(world.users["enterprise_a"])
    response = client.post(
        reverse("projects:project_action", args=[project.number, "problem"]),
        {"title": "施工用水未接入", "description": "临时用水申请两周未批。", "category": "land"},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    project_page = client.get(reverse("projects:project_detail", args=[project.number])).content.decode()
    assert reverse("appeals:appeal_detail", args=[appeal.number]) in project_page
    appeal_page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    assert f'href="/projects/{project.number}/"' in appeal_page
    # the handler of 市工信局 (the appeal's department, and the project's) sees both links too
    client.force_login(world.users["city_handler"])
    assert (
        f'href="/projects/{project.number}/"'
        in client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    )


def test_list_and_page_show_stage_and_colour(client, world, make_project):
    project = make_project()  # conceived; 签约 planned 2026-02-01 and not reached: red today
    client.force_login(world.users["coordinator"])
    listing = client.get(reverse("projects:project_list")).content.decode()
    assert project.number in listing and 'data-level="red"' in listing
    page = client.get(reverse("projects:project_detail", args=[project.number])).content.decode()
    assert "谋划" in page and "引进（签约）" in page


def test_out_of_scope_project_is_not_found(client, world, make_project):
    project = make_project()
    client.force_login(world.users["enterprise_b"])
    assert client.get(reverse("projects:project_detail", args=[project.number])).status_code == 404


def test_project_delay_findings(world, make_project):
    late = make_project()
    make_project(name="按期项目", planned_dates={"signed": date(2099, 1, 1)})
    found = list(findings.kinds()["project_delay"].provider(date(2026, 3, 15)))
    assert [f.subject_id for f in found] == [late.pk]
    f = found[0]
    assert (f.level, f.period, f.town_id, f.user_ids) == (
        "red",
        "2026-03",
        world.towns[0].pk,
        (world.users["leader_a"].pk,),
    )
    assert "滞后 42 天" in f.text and late.number in f.text
    assert project_warnings.provider is findings.kinds()["project_delay"].provider
