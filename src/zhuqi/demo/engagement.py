"""The demo city's engagement (issue 11), through the real services: liaison leaders' visits and
contacts over 2026 with some overdue, problems found on visits as appeals, the quarterly dispatch
meetings and a breakfast meeting with their decisions as tracked tasks (some closed out), and a
major event reported by the demo enterprise and acknowledged by its liaison.

Weekly phone and WeChat contacts are history loaded in bulk (their rows are all the cadence reads);
on-site visits, problems, meetings and the event go through the services."""

import random
from datetime import date, timedelta

from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.core import bulk
from zhuqi.directory.models import Department, LiaisonAssignment, ServiceCategory
from zhuqi.engagement import events, meetings, visits
from zhuqi.engagement.models import MajorEvent, Meeting, Task, Visit
from zhuqi.engagement.tasks import close_task

YEAR = 2026
VISITED = 16  # liaisons whose year of visits is built


def build(*, rng: random.Random, demo_enterprise, today: date | None = None) -> dict[str, int]:
    today = min(today or timezone.localdate(), date(YEAR, 12, 31))
    coordinator = User.objects.get(username="coordinator")
    city_leader = User.objects.get(username="leader")
    assignments = list(
        LiaisonAssignment.objects.active()
        .select_related("leader", "enterprise")
        .order_by("-tier", "enterprise_id")[:VISITED]
    )
    mine = [a for a in assignments if a.leader_id == city_leader.pk]
    if not mine:  # the city leader's own enterprises first: its home page has visits due and made
        mine = list(
            LiaisonAssignment.objects.active()
            .filter(leader=city_leader)
            .select_related("leader", "enterprise")[:4]
        )
        assignments = mine + assignments[: VISITED - len(mine)]
    LiaisonAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(since=date(YEAR, 1, 1))
    contacts = []
    onsite = 0
    for i, a in enumerate(assignments):
        diligent = i % 4 != 3  # every fourth liaison lets weeks and months pass: overdue
        day = date(YEAR, 1, 5)
        while day <= today - timedelta(days=7):
            if diligent or rng.random() < 0.4:
                contacts.append(
                    Visit(
                        enterprise=a.enterprise,
                        leader=a.leader,
                        kind=rng.choice(["phone", "wechat"]),
                        visited_on=day + timedelta(days=rng.randint(0, 4)),
                        summary="电话了解生产经营情况",
                        recorded_by=a.leader,
                    )
                )
            day += timedelta(days=7)
        for month in range(1, today.month + 1):
            if not diligent and month % 3 != 1:
                continue
            visited_on = date(YEAR, month, min(28, 10 + i))
            if visited_on >= today:
                continue
            visits.record_visit(
                enterprise=a.enterprise,
                kind="onsite",
                visited_on=visited_on,
                acting_user=a.leader,
                participants=f"{a.leader}及联络员",
                ask_status="生产经营正常，订单较去年同期增长。",
                ask_needs="希望加快技改项目审批。",
                ask_environment="对营商环境总体满意。",
                brought_service="政策清单讲解",
                help_ideas="建议申报智能化改造项目。",
                summary="入企走访，了解企业诉求。",
            )
            onsite += 1
    Visit.objects.bulk_create(contacts, batch_size=2000)
    routine = _routine({a.pk for a in assignments}, rng, today)
    problems = _problems(assignments, rng)
    tasks = _meetings(coordinator, city_leader, demo_enterprise, today)
    event = events.report_event(
        enterprise=demo_enterprise,
        kind=MajorEvent.Kind.PRODUCTION_STOP,
        occurred_on=today - timedelta(days=3),
        title="二号车间设备检修减产",
        description="二号车间主要设备故障，预计减产两周，约影响当月产值15%。",
        acting_user=demo_enterprise.users.first() or coordinator,
    )
    follower = (
        LiaisonAssignment.objects.active().filter(enterprise=demo_enterprise).select_related("leader").first()
    )
    if follower is not None:
        events.act_on_event(
            event=event, action="acknowledge", acting_user=follower.leader, note="已了解，协调维修配件。"
        )
    return {"visits": len(contacts) + onsite + routine, "problems": problems, "tasks": tasks, "events": 1}


LAPSING = 0.04  # share of the other liaisons who let weeks and months pass


def _routine(built: set[int], rng: random.Random, today: date) -> int:
    """Every other liaison's year of routine, in bulk: a phone or WeChat contact each week and an
    on-site visit each month (seed 004 二: 周联系、月走访), a few liaisons lapsing. Without it the
    city's first sweep found all 2,360 of them overdue — 7,086 warnings, nothing a person could act on."""
    weeks = []
    day = date(YEAR, 1, 5)
    while day <= today - timedelta(days=7):
        weeks.append(day)
        day += timedelta(days=7)
    rows = []
    others = (
        LiaisonAssignment.objects.active()
        .exclude(pk__in=built)
        .order_by("id")
        .values_list("enterprise_id", "leader_id")
    )
    now = timezone.now()
    # Plain rows (core/bulk.py): a year of weeks for every liaison is most of the engagement demo.
    for enterprise_id, leader_id in others:
        lapsing = rng.random() < LAPSING
        for week in weeks:
            if lapsing and rng.random() < 0.5:
                continue
            on = week + timedelta(days=rng.randint(0, 4))
            rows.append((enterprise_id, leader_id, "phone", on, *BLANK, PHONED, leader_id, now))
        for month in range(1, today.month + 1):
            on = date(YEAR, month, rng.randint(5, 25))
            if on >= today or (lapsing and month % 3 != 1):
                continue
            rows.append((enterprise_id, leader_id, "onsite", on, *BLANK, CALLED, leader_id, now))
    return bulk.insert_rows(Visit, VISIT_FIELDS, rows)


PHONED, CALLED = "电话了解生产经营情况", "入企走访，了解企业诉求。"
# participants, 三问, 带优质服务, 带优良作风 (kept), 四帮: what a routine contact leaves blank
BLANK = ("", "", "", "", "", True, "", "", "", "")
VISIT_FIELDS = (
    "enterprise",
    "leader",
    "kind",
    "visited_on",
    "participants",
    "ask_status",
    "ask_needs",
    "ask_environment",
    "brought_service",
    "brought_conduct",
    "help_ideas",
    "help_transform",
    "help_solve",
    "help_longterm",
    "summary",
    "recorded_by",
    "created_at",
)


def _problems(assignments, rng) -> int:
    categories = list(
        ServiceCategory.objects.filter(code__in=["utilities.power", "labour.recruit", "financing.loan"])
    )
    made = 0
    for a in assignments[:6]:
        if not categories:
            break
        category = rng.choice(categories)
        recorded = visits.record_visit(
            enterprise=a.enterprise,
            kind="onsite",
            visited_on=timezone.localdate() - timedelta(days=2 + made),
            acting_user=a.leader,
            ask_needs=f"走访中发现：{category.name}方面需要协调。",
            problems=[
                visits.Problem(
                    f"走访发现：{category.name}问题待协调",
                    f"挂点领导走访时企业反映{category.name}方面的困难，请相关部门协调解决。",
                    category,
                )
            ],
        )
        made += len(recorded.appeals)
    return made


def _meetings(coordinator, chair, demo_enterprise, today) -> int:
    departments = {
        d.code: d for d in Department.objects.filter(code__in=["miit", "hrss", "finance_office", "commerce"])
    }
    anyone = Department.objects.order_by("code").first()
    made = 0
    for quarter, month in ((1, 3), (2, 6), (3, 9), (4, 12)):
        held = date(YEAR, month, 20)
        if held > today:
            break
        meeting = meetings.record_meeting(
            kind=Meeting.Kind.DISPATCH,
            title=f"{YEAR}年第{quarter}季度倍增计划调度会",
            held_on=held,
            chair=chair,
            place="市政府第一会议室",
            enterprises=[demo_enterprise],
            departments=list(departments.values()),
            minutes="通报试点企业运行情况，研究企业反映的用电、用工、融资问题。",
            decisions=[
                meetings.Decision(
                    "协调试点企业新增用电报装",
                    held + timedelta(days=30),
                    owner_department=departments.get("miit", anyone),
                ),
                meetings.Decision(
                    "组织春季专场招聘对接",
                    held + timedelta(days=45),
                    owner_department=departments.get("hrss", anyone),
                ),
            ],
            acting_user=coordinator,
        )
        made += 2
        if held + timedelta(days=60) < today:
            for task in meetings.tasks_of(meeting):
                close_task(task=task, note="已按期办结。", acting_user=coordinator)
    breakfast_day = date(YEAR, 5, 16)
    if breakfast_day <= today:
        meetings.record_meeting(
            kind=Meeting.Kind.BREAKFAST,
            title=f"{YEAR}年企业家早餐会",
            held_on=breakfast_day,
            chair=chair,
            enterprises=[demo_enterprise],
            minutes="听取企业家对营商环境的意见建议。",
            decisions=[
                meetings.Decision(
                    "梳理企业反映的审批堵点",
                    date(YEAR, 6, 30),
                    owner_department=departments.get("commerce", anyone),
                )
            ],
            acting_user=coordinator,
        )
        made += 1
    return made if Task.objects.exists() else 0
