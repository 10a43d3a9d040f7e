"""The demo city's survey of departments, its 2026 Q3 assessment and the 2026 Q3 briefing, all through
the real services: a closed 2026 Q3 campaign answered by a dozen enterprises (one department rated low
on 项目落地, which opens a supervision item), an open 2026 Q4 campaign waiting for the demo enterprise,
the published 2026 Q3 assessment, and the 2026 Q3 briefing queued for the worker (generating Word and
PDF takes a few seconds, so it runs as a job rather than in `zhuqi demo-data`)."""

import random
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone

from zhuqi.accounts.models import Role, User
from zhuqi.assessment import questionnaire, scoring, services
from zhuqi.briefings import services as briefing_services
from zhuqi.core import workdays
from zhuqi.demo import people
from zhuqi.directory.models import Department, Enterprise, ServiceCategory

RESPONDENTS = 12
# The department the demo's enterprises rate low on one aspect, and that aspect.
LOW = ("natural_resources", "project")


def _respondents(demo_user: User) -> list[User]:
    enterprises = (
        Enterprise.objects.exclude(pk=demo_user.enterprise_id).exclude(doubling_class="").order_by("id")
    )
    users = []
    for i, enterprise in enumerate(enterprises[:RESPONDENTS], start=1):
        username = f"survey_{i:02d}"
        user = User.objects.filter(username=username).first() or people.user_create(
            username=username,
            role=Role.ENTERPRISE,
            display_name=f"{enterprise.name} 联络人",
            enterprise=enterprise,
            check_password=False,
        )
        users.append(user)
    return users


@contextmanager
def _clock(moment: datetime):
    """Runs the services as at `moment`: the demo's 2026 Q3 appeals were handled in Q3, while the rest of
    the demo city lives today."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _handler(department: Department) -> User:
    found = department.members.filter(is_active=True).first() or department.head
    return found or people.user_create(
        username=f"handler_{department.code}",
        role=Role.HANDLER,
        display_name=f"{department} 经办人",
        department=department,
        check_password=False,
    )


def build_q3_appeals(rng: random.Random, respondents: list[User], count: int) -> int:
    """Appeals submitted from July to September 2026 by the survey's enterprises and handled then, each
    department at its own pace (some late, some rated 不满意 and reopened), so 2026 Q3 has KPIs."""
    from zhuqi.appeals import services as appeal_services
    from zhuqi.demo.builder import APPEAL_TITLES

    categories = {c.code: c for c in ServiceCategory.objects.filter(code__in=APPEAL_TITLES)}
    quality: dict[int, float] = {}
    made = 0
    for i in range(count):
        user = respondents[i % len(respondents)]
        code = rng.choice(sorted(APPEAL_TITLES))
        start = datetime(2026, 7, 1, 10, tzinfo=workdays.SHANGHAI) + timedelta(days=rng.randrange(80))
        with _clock(start):
            appeal = appeal_services.appeal_submit(
                enterprise=user.enterprise,
                title=APPEAL_TITLES[code],
                description=APPEAL_TITLES[code] + "。",
                category=categories[code],
                acting_user=user,
            ).appeal
        made += 1
        if appeal.department_id is None:
            continue
        q = quality.setdefault(appeal.department_id, rng.uniform(0.45, 1.0))
        handler = _handler(appeal.department)
        with _clock(start + timedelta(hours=2)):
            appeal = appeal_services.appeal_accept(appeal=appeal, acting_user=handler)
        if rng.random() > 0.5 + q / 2:
            continue  # still being handled at the end of the quarter
        moment = workdays.add_working_days(start, 2 if rng.random() < q else 12) - timedelta(hours=8)
        with _clock(moment):
            appeal = appeal_services.appeal_reply(
                appeal=appeal, acting_user=handler, reply="已协调办理，请查收。"
            )
        satisfied = rng.random() < q
        with _clock(moment + timedelta(days=1)):
            appeal = appeal_services.appeal_rate(
                appeal=appeal, acting_user=user, rating="satisfied" if satisfied else "unsatisfied"
            )
        if not satisfied:
            with _clock(moment + timedelta(days=2)):
                if appeal.state == "dispatched":  # 发还重办: back to the department to accept again
                    appeal = appeal_services.appeal_accept(appeal=appeal, acting_user=handler)
            with _clock(moment + timedelta(days=3)):
                if appeal.state != "accepted":
                    continue  # the second 不满意 took it to the coordination meeting
                appeal = appeal_services.appeal_reply(
                    appeal=appeal, acting_user=handler, reply="已重新办理。"
                )
            with _clock(moment + timedelta(days=4)):
                appeal_services.appeal_rate(appeal=appeal, acting_user=user, rating="basic")
    return made


def build(seed: int, appeals: int = 24) -> dict:
    from zhuqi.assessment.models import Assessment

    if Assessment.objects.filter(period="2026Q3").exists():
        return {}  # built before (a demo city is built once; a rebuild keeps its survey)
    rng = random.Random(seed)
    coordinator = User.objects.get(username="coordinator")
    demo_user = User.objects.get(username="enterprise")
    questionnaire.install_shipped()
    respondents = _respondents(demo_user)
    q3_appeals = build_q3_appeals(rng, respondents, appeals)
    today = timezone.localdate()
    q3 = services.campaign_create(
        title="2026年第三季度企业评判部门测评",
        period="2026Q3",
        deadline=today + timedelta(days=14),
        sample_size=None,
        sample_seed=seed,
        acting_user=coordinator,
    )
    q3 = services.campaign_open(campaign=q3, acting_user=coordinator)
    city = list(Department.objects.filter(level=Department.Level.CITY).order_by("code"))
    must = [d for d in city if d.code in ("miit", LOW[0])]
    others = [d for d in city if d not in must]
    items = list(questionnaire.active_items(q3.questionnaire).select_related("aspect"))
    ratings = 0
    for user in respondents:
        rated = must + rng.sample(others, min(2, len(others)))
        rated += list(Department.objects.filter(town_id=user.enterprise.town_id))
        for department in rated:
            scores = {}
            for item in items:
                if rng.random() < 0.1:
                    continue  # 不了解
                low = (department.code, item.aspect.code) == LOW
                scores[item.code] = rng.choice([1, 2, 2, 3, 3]) if low else rng.choice([3, 4, 4, 5, 5, 5])
            services.survey_answer(campaign=q3, acting_user=user, department=department, scores=scores)
            ratings += 1
    services.campaign_close(campaign=q3, acting_user=coordinator)
    q4 = services.campaign_create(
        title="2026年第四季度企业评判部门测评",
        period="2026Q4",
        deadline=today + timedelta(days=20),
        sample_size=None,
        sample_seed=seed + 1,
        acting_user=coordinator,
    )
    services.campaign_open(campaign=q4, acting_user=coordinator)
    assessment = scoring.assessment_compute(period="2026Q3", acting_user=coordinator, campaign=q3)
    scoring.assessment_publish(assessment=assessment, acting_user=coordinator)
    briefing = briefing_services.briefing_request(kind="quarterly", period="2026Q3", acting_user=coordinator)
    return {
        "q3_appeals": q3_appeals,
        "survey_ratings": ratings,
        "assessment": assessment.period,
        "briefing": briefing.number,
    }
