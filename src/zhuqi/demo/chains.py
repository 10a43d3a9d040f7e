"""Demo industry chains, a year of matchmaking events against seed 002's quotas, and 30 key projects in
every stage (some late), all made through the real services. Small enough for the walk's 40
enterprises and quick at 3,000."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.chains import services as chains
from zhuqi.chains.quotas import SEED_002  # noqa: F401  (the quotas installed below)
from zhuqi.directory.models import Department, Enterprise, ServiceCategory, Town
from zhuqi.projects import services as projects
from zhuqi.projects.lifecycle import STAGES

YEAR = 2026

CHAINS = [
    # code, name, source, industry code prefixes of members, products by position, weak links
    (
        "seasoning",
        "速食调味料",
        "温县万人助万企方案 二(一)1",
        ("C14", "C13"),
        {"upstream": "香辛料原料", "core": "复合调味料", "downstream": "餐饮供应链配送"},
        [("fill", "upstream", "辣椒初加工基地"), ("extend", "downstream", "预制菜中央厨房")],
    ),
    (
        "electronics",
        "电子信息",
        "郑州市推进企业服务活动行动计划 三(一)1 七大重点产业",
        ("C39",),
        {"upstream": "电子元器件", "core": "智能终端整机", "downstream": "检测与售后服务"},
        [("fill", "upstream", "高端连接器"), ("extend", "downstream", "工业互联网平台服务")],
    ),
]

PROJECT_NAMES = [
    "智能终端扩产项目",
    "新能源电池材料项目",
    "复合调味料智能工厂",
    "精密模具产业园",
    "数字化车间改造项目",
    "5G通信模组生产线",
    "高端装备研发中心",
    "冷链物流中心项目",
    "绿色印刷包装基地",
    "半导体封测项目",
]


def _today() -> date:
    return timezone.localdate()


def _clamp(day: date) -> date:
    return min(day, _today())


def build(*, rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(20261206)
    coordinator = User.objects.get(username="coordinator")
    leader = User.objects.get(username="leader")
    miit = Department.objects.get(code="miit")
    enterprises = list(Enterprise.objects.select_related("town").order_by("id"))
    built_chains = _chains(rng, coordinator, leader, miit, enterprises)
    events = _events(rng, coordinator, miit, built_chains, enterprises)
    made = _projects(rng, coordinator, leader, enterprises)
    return {"chains": len(built_chains), "events": events, "projects": made}


def _chains(rng, coordinator, leader, miit, enterprises):
    built = []
    used: set[int] = set()
    for code, name, source, prefixes, products, gaps in CHAINS:
        fits = [e for e in enterprises if e.industry_code.startswith(prefixes) and e.pk not in used]
        fit = {e.pk for e in fits}  # a set: `e not in fits` compared 3,000 enterprises with each fit
        others = [e for e in enterprises if e.pk not in used and e.pk not in fit]
        members = (fits + others)[:8]
        used.update(e.pk for e in members)
        chain = chains.chain_create(
            acting_user=coordinator,
            code=code,
            name=name,
            leader=leader,
            lead_enterprise=members[0] if members else None,
            lead_department=miit,
            plan=f"摸清{name}产业链发展现状，分环节推进补链延链，培育链主企业，组织产销对接。",
            source=source,
        )
        for i, enterprise in enumerate(members):
            position = "core" if i < 3 else ("upstream", "downstream")[i % 2]
            chains.chain_member_set(
                chain=chain,
                acting_user=coordinator,
                enterprise=enterprise,
                position=position,
                product=products[position],
            )
        for kind, position, title in gaps:
            gap = chains.chain_gap_add(
                chain=chain, acting_user=coordinator, kind=kind, position=position, title=title
            )
            chains.chain_candidate_add(
                gap=gap, acting_user=coordinator, name=f"{title}意向企业（外地）", status="contacted"
            )
        chains.chain_task_add(
            chain=chain,
            acting_user=leader,
            title=f"编制{name}产业链图谱和招商清单",
            owner=miit,
            due_on=date(YEAR, 12, 31),
        )
        built.append(chain)
    return built


def _events(rng, coordinator, miit, built_chains, enterprises) -> int:
    """A year of events up to today: the industry department's two 产销 events, one in most towns (a
    few towns behind), 用工 and 招工 by 人社局 at about the pace, 银企 and 产学研 a few."""
    today = _today()
    chains.quotas_install(acting_user=coordinator, year=YEAR, industry_department=miit)
    hrss = Department.objects.filter(code="hrss").first() or miit
    finance = Department.objects.filter(code="finance_office").first() or miit
    science = Department.objects.filter(code="science").first() or miit
    towns = list(Town.objects.order_by("code"))
    plan = [("supply", miit, None, date(YEAR, 4, 18)), ("supply", miit, None, date(YEAR, 9, 12))]
    for i, town in enumerate(towns):
        if i % 7 != 3:  # every seventh town has not held its event yet
            plan.append(("supply", None, town, date(YEAR, 1 + i % 11, 5 + i % 20)))
    for i in range(26):
        plan.append(("labour", hrss, None, date(YEAR, 1 + i * 11 // 26, 8 + i % 15)))
    for i in range(9):
        plan.append(("recruitment", hrss, None, date(YEAR, 1 + i * 11 // 9, 20)))
    for i in range(4):
        plan.append(("finance", finance, None, date(YEAR, 2 + i * 3, 16)))
    for i in range(3):
        plan.append(("research", science, None, date(YEAR, 3 + i * 3, 22)))
    titles = {
        "supply": "产销对接会",
        "labour": "用工对接会",
        "recruitment": "校园招聘会",
        "finance": "银企对接会",
        "research": "产学研对接会",
    }
    partners = {
        "supply": [("buyer", "大型商超采购中心"), ("buyer", "连锁餐饮集团")],
        "labour": [("other", "劳务派遣机构")],
        "recruitment": [("school", "东莞职业技术学院")],
        "finance": [("bank", "中国工商银行东莞分行"), ("bank", "东莞农村商业银行")],
        "research": [("school", "东莞理工学院")],
    }
    made = 0
    for n, (kind, department, town, day) in enumerate(plan):
        held = day <= today
        organiser = town.name if town else str(department)
        chain = built_chains[n % len(built_chains)] if kind == "supply" and built_chains else None
        guests = rng.sample(enterprises, min(len(enterprises), 3 + n % 4))
        event = chains.event_create(
            acting_user=coordinator,
            kind=kind,
            title=f"{organiser}{titles[kind]}",
            held_on=day,
            organiser_department=department,
            organiser_town=town,
            place=f"{organiser}会议中心",
            chain=chain,
            enterprises=guests,
            partners=partners[kind],
            held=held,
        )
        made += 1
        if not held or n % 3:
            continue
        if kind in ("supply", "research"):
            chains.event_add_outcome(
                event=event,
                acting_user=coordinator,
                kind="agreement",
                enterprise=guests[0],
                partner=partners[kind][0][1],
                value=Decimal(rng.randrange(50, 800) * 10_000),
                follow_up_on=day + timedelta(days=90),
            )
        elif kind == "finance":
            chains.event_add_outcome(
                event=event,
                acting_user=coordinator,
                kind="loan",
                enterprise=guests[0],
                partner=partners[kind][0][1],
                value=Decimal(rng.randrange(100, 3000) * 10_000),
                follow_up_on=day + timedelta(days=60),
            )
        else:
            chains.event_add_outcome(
                event=event,
                acting_user=coordinator,
                kind="hire",
                enterprise=guests[0],
                people=rng.randrange(5, 80),
                follow_up_on=day + timedelta(days=30),
            )
    return made


def _projects(rng, coordinator, leader, enterprises) -> int:
    """30 projects: conceived between spring 2025 and autumn 2026, each planned a stage every two or
    three months; most reach their stages on time or a little late, some are stuck past a planned
    date (yellow or red), one is stopped; started ones have monthly amounts, some reported short."""
    today = _today()
    if not enterprises:
        return 0
    departments = list(Department.objects.filter(code__in=["miit", "development_reform", "investment"]))
    land = ServiceCategory.objects.filter(code="land").first() or ServiceCategory.objects.first()
    led = set(leader.liaisons.values_list("enterprise_id", flat=True))
    made = 0
    for i in range(30):
        enterprise = enterprises[(i * 7) % len(enterprises)]
        start = date(2025, 3, 1) + timedelta(days=19 * i)
        start = _clamp(start)
        step = 60 + 15 * (i % 3)
        planned = {stage: start + timedelta(days=step * k) for k, stage in enumerate(STAGES) if k}
        # how far it got: the later it was conceived, the earlier its stage
        target_index = max(0, min(6, (today - start).days // step - (1 if i % 4 == 0 else 0)))
        investment = Decimal(rng.choice([3, 5, 8, 12, 15, 20, 30, 50])) * Decimal(10_000_000)
        months = []
        started_on = planned["started"]
        monthly = (investment / Decimal(18)).quantize(Decimal("0.01"))
        for k in range(18):
            month_index = started_on.year * 12 + started_on.month - 1 + k
            months.append((month_index // 12, month_index % 12 + 1, monthly))
        project = projects.project_create(
            acting_user=coordinator,
            name=f"{enterprise.name[:8]}{PROJECT_NAMES[i % len(PROJECT_NAMES)]}",
            town=enterprise.town,
            investment=investment,
            enterprise=enterprise,
            department=departments[i % len(departments)] if departments else None,
            liaison_leader=leader if enterprise.pk in led or i % 3 == 0 else None,
            planned_dates=planned,
            months=months,
            conceived_on=start,
        )
        reached = start
        for k in range(1, target_index + 1):
            slip = timedelta(days=(0, 5, 12, 25)[(i + k) % 4])
            on = _clamp(max(reached, planned[STAGES[k]] + slip))
            project = projects.project_advance(project=project, acting_user=coordinator, on=on)
            reached = on
        # monthly reports since construction started; every fifth project reports short
        if target_index >= STAGES.index("started"):
            for year, month, amount in months:
                if (year, month) >= (today.year, today.month):
                    break
                share = Decimal("0.6") if i % 5 == 1 else Decimal("1")
                projects.project_report(
                    project=project,
                    acting_user=coordinator,
                    year=year,
                    month=month,
                    actual=(amount * share).quantize(Decimal("0.01")),
                    progress="按计划推进" if share == 1 else "资金到位不足，进度滞后",
                )
        if i == 27:
            projects.project_stop(
                project=project, acting_user=coordinator, reason="企业调整投资计划，项目终止"
            )
        if i in (4, 13) and land is not None:
            projects.project_raise_problem(
                project=project,
                acting_user=coordinator,
                title="项目用地报批进度慢",
                description="用地预审已提交两个月，尚未批复，影响开工。",
                category=land,
            )
        made += 1
    return made
