"""The demo city's 2017 doubling-programme selection (seed 000), through the real services.

Scaled to the demo: of its enterprises with a doubling class, about one in thirty applies (at least a
dozen; the demo enterprise always); the programme keeps the seed's proportions — pilot places are
40 % of the applicants (200 of Dongguan's roughly 500), the reserve half the pilots, each department
to follow a quarter of the pilots (about 50 of 200) — and honorary pilots at 50亿元 as in the seed.
The figures of 2014–2016 that the check and the targets read are written for the applicants (the
demo's series start in 2021); a few applicants fail (a loss, slow growth, a yellow card), one new
gazelle is flagged for the committee, and a few declared figures differ from the bureaus'.
"""

import random
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from zhuqi.accounts.models import Role, User
from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Tag
from zhuqi.programs import scoring, services
from zhuqi.programs.models import Application, CrossCheck, ExpertField, GrowthDriver, Objection, ReviewGroup

SEED = 2017
PLAN = b"%PDF-1.4\n% demo doubling plan\n%%EOF\n"
CLASS_DEPARTMENTS = {
    Enterprise.DoublingClass.PRIVATE_MANUFACTURING: "miit",
    Enterprise.DoublingClass.FOREIGN_INVESTED: "commerce",
    Enterprise.DoublingClass.HIGH_TECH: "science",
    Enterprise.DoublingClass.LISTED_OR_RESERVE: "finance_office",
}
EXPERTS = [
    ("刘教授", ExpertField.TECHNOLOGY, "华南理工大学"),
    ("陈会计师", ExpertField.FINANCE, "广东正中珠江会计师事务所"),
    ("黄律师", ExpertField.LAW, "广东莞信律师事务所"),
    ("林顾问", ExpertField.MANAGEMENT, "东莞市决策咨询研究中心"),
    ("吴经理", ExpertField.BANKING, "东莞银行"),
    ("张工", ExpertField.TECHNOLOGY, "东莞理工学院"),
    ("何会计师", ExpertField.FINANCE, "立信会计师事务所东莞分所"),
    ("周律师", ExpertField.LAW, "广东天穗律师事务所"),
    ("郑顾问", ExpertField.MANAGEMENT, "东莞市生产力促进中心"),
    ("梁总", ExpertField.BANKING, "广发证券东莞营业部"),
    ("谢博士", ExpertField.TECHNOLOGY, "松山湖材料实验室"),
    ("罗会计师", ExpertField.FINANCE, "致同会计师事务所"),
]


def _value(enterprise, key, year, value, source):
    return IndicatorValue(
        enterprise=enterprise,
        indicator=key,
        period_type="year",
        year=year,
        period_no=1,
        value=Decimal(value).quantize(Decimal("0.01")),
        source=source,
        verified=True,
    )


def build(built: list[tuple], demo: Enterprise) -> dict[str, int]:
    rng = random.Random(SEED)
    coordinator = User.objects.get(username="coordinator")
    handler = User.objects.get(username="handler")
    owner = User.objects.get(username="enterprise")
    departments = {c: Department.objects.get(code=code) for c, code in CLASS_DEPARTMENTS.items()}

    eligible = [(e, r) for e, (r, doubling) in built if doubling and r > 3e7 and e.pk != demo.pk]
    count = max(12, len(built) // 30)
    chosen = rng.sample(eligible, min(count - 1, len(eligible)))
    revenue_of = {e.pk: r for e, (r, _d) in built}
    applicants = [(demo, revenue_of[demo.pk]), *sorted(chosen, key=lambda p: p[0].pk)]
    pilots = max(4, round(len(applicants) * 0.4))
    programme = services.programme_create(
        code="dg-doubling-2017",
        name="东莞市重点企业规模与效益倍增计划",
        document_number="东府办〔2017〕11号",
        classes=departments,
        pilot_quota=pilots,
        reserve_quota=max(2, pilots // 2),
        department_target=max(1, round(pilots / 4)),
        acting_user=coordinator,
    )
    round_ = services.round_open(
        programme=programme,
        name="2017年倍增计划试点企业遴选",
        opens_on=date(2017, 1, 3),
        closes_on=date(2017, 1, 20),
        check_year=2015,
        tolerance_percent=Decimal(5),
        acting_user=coordinator,
    )

    # Figures of 2014–2016 from the bureaus, and the profile of each applicant.
    values, declared_all, weak = [], {}, set()
    new_gazelle = applicants[-1][0] if len(applicants) > 3 else None
    for i, (enterprise, revenue_2021) in enumerate(applicants):
        growth = rng.uniform(1.12, 1.3)
        if i % 11 == 5:
            growth = rng.uniform(1.0, 1.08)  # too slow in 2015
            weak.add(enterprise.pk)
        revenue = {y: revenue_2021 / (1.14 ** (2021 - y)) for y in (2016, 2015)}
        revenue[2014] = revenue[2015] / growth
        margin = -0.02 if i % 13 == 7 else rng.uniform(0.03, 0.1)
        rows = {}
        for year in (2014, 2015, 2016):
            rows[("revenue", year)] = revenue[year]
        rows[("total_profit", 2015)] = revenue[2015] * margin
        rows[("tax_paid", 2015)] = revenue[2015] * 0.05
        rows[("tax_paid", 2016)] = revenue[2016] * 0.05
        rows[("main_revenue", 2016)] = revenue[2016] * 0.95
        if enterprise is new_gazelle:  # founded in 2015: no 2014 revenue
            rows.pop(("revenue", 2014))
            enterprise.founded_on = date(2015, 4, 1)
            enterprise.save(update_fields=["founded_on"])
            enterprise.tags.add(Tag.objects.get_or_create(name="瞪羚企业")[0])
        for (key, year), value in rows.items():
            sources = ["tax"] if key == "tax_paid" else ["stats", "tax"] if key == "revenue" else ["stats"]
            values += [_value(enterprise, key, year, value, s) for s in sources]
        declared = {
            f"{k}@{y}": Decimal(rows.get((k, y), 0)).quantize(Decimal("0.01"))
            for k, y in services.declared_fields(round_)
        }
        if i % 9 == 4:  # declared above the bureaus' figure
            declared["revenue@2015"] = (declared["revenue@2015"] * Decimal("1.08")).quantize(Decimal("0.01"))
        declared_all[enterprise.pk] = declared
    IndicatorValue.objects.bulk_create(values, batch_size=1000, ignore_conflicts=True)

    facts = []
    for i, (enterprise, _r) in enumerate(applicants):
        rating = "黄牌" if i % 17 == 9 else rng.choice(["绿牌", "绿牌", "蓝牌"])
        facts.append(
            (enterprise, "env_credit", rating, "东莞市生态环境局 2016年度环境信用评价", date(2016, 12, 31))
        )
        if i % 7 == 0:
            facts.append(
                (
                    enterprise,
                    "key_energy_user",
                    "是",
                    "东莞市发展和改革局 重点用能单位名单",
                    date(2016, 12, 31),
                )
            )
            assessed = "未完成" if i % 14 == 7 else "完成"
            facts.append(
                (
                    enterprise,
                    "energy_assessment",
                    assessed,
                    "东莞市发展和改革局 2015年度考核",
                    date(2016, 6, 30),
                )
            )
    services.facts_record(rows=facts, acting_user=coordinator)

    drivers = list(GrowthDriver.values)
    for enterprise, _r in applicants:
        own = enterprise.pk == demo.pk
        services.application_submit(
            round_=round_,
            enterprise=enterprise,
            enterprise_class=enterprise.doubling_class,
            drivers=rng.sample(drivers, rng.choice([1, 1, 2])) if not own else [GrowthDriver.INNOVATION],
            commitment_years=rng.choice([3, 5]) if not own else 3,
            figures=declared_all[enterprise.pk],
            key_introduced_project=enterprise is new_gazelle,
            summary="以智能化改造和产业链整合实现主营业务收入五年倍增。",
            plan=SimpleUploadedFile("倍增方案.pdf", PLAN) if own else None,
            acting_user=owner if own else handler,
            today=date(2017, 1, 10),
        )
    services.round_close(round_=round_, acting_user=coordinator)
    services.formal_check_run(round_=round_, acting_user=coordinator)
    services.cross_check_run(round_=round_, acting_user=coordinator)
    for flag in CrossCheck.objects.filter(application__round=round_).order_by("pk")[:2]:
        services.cross_check_settle(
            flag=flag,
            settlement=CrossCheck.Settlement.BUREAU,
            note="以统计局数据为准",
            acting_user=coordinator,
        )

    # The pool: the demo expert signs in; the others have accounts that cannot sign in.
    demo_expert = User.objects.get(username="expert")
    experts = []
    for n, (name, field, organisation) in enumerate(EXPERTS):
        user = demo_expert if n == 0 else _expert_user(n, name)
        experts.append(
            services.expert_create(
                name=name, field=field, organisation=organisation, user=user, acting_user=coordinator
            )
        )
    # One expert's organisation is an applicant: never drawn for it.
    conflicted = applicants[1][0] if len(applicants) > 1 else demo
    services.expert_create(
        name="冯经理", field=ExpertField.MANAGEMENT, organisation=conflicted.name, acting_user=coordinator
    )

    in_review = list(
        Application.objects.filter(round=round_, state=Application.State.IN_REVIEW)
        .select_related("enterprise")
        .order_by("pk")
    )
    strength = {a.pk: (95 if a.enterprise_id == demo.pk else rng.uniform(60, 92)) for a in in_review}
    left_for_demo = None
    for n, (klass, _code) in enumerate(CLASS_DEPARTMENTS.items()):
        group_apps = [a for a in in_review if a.enterprise_class == klass]
        if not group_apps:
            continue
        group = services.group_draw(
            round_=round_,
            name=f"书面审核第{n + 1}组（{Enterprise.DoublingClass(klass).label}）",
            stage=ReviewGroup.Stage.DESK,
            size=3,
            applications=group_apps,
            seed=f"2017011{n + 1}",
            acting_user=coordinator,
        )
        for expert in group.experts.select_related("user"):
            for a in group_apps:
                if expert.user_id == demo_expert.pk and left_for_demo is None and a.enterprise_id != demo.pk:
                    left_for_demo = a  # the demo expert's work: one application still to score
                    continue
                _score(group, a, expert.user, strength[a.pk], rng, "desk")
    scored = sorted(
        Application.objects.filter(round=round_, state=Application.State.IN_REVIEW, desk_score__isnull=False),
        key=lambda a: -a.desk_score,
    )
    shortlist = scored[: max(1, round(len(scored) * 0.7))]
    services.shortlist_set(round_=round_, applications=shortlist, acting_user=coordinator)
    shortlist = list(Application.objects.filter(round=round_, shortlisted=True).order_by("pk"))
    site = services.group_draw(
        round_=round_,
        name="现场核查组",
        stage=ReviewGroup.Stage.SITE,
        size=2,
        applications=shortlist,
        seed="20170118",
        acting_user=coordinator,
    )
    for expert in site.experts.select_related("user"):
        for a in shortlist:
            _score(site, a, expert.user, strength[a.pk], rng, "site")

    services.proposal_make(round_=round_, acting_user=coordinator)
    moved = (
        Application.objects.filter(round=round_, outcome=Application.Outcome.PILOT)
        .exclude(enterprise=demo)
        .order_by("pk")
        .first()
    )
    if moved is not None:
        services.department_assign(
            application=moved,
            department=departments[Enterprise.DoublingClass.HIGH_TECH],
            reason="企业意愿：以科技创新为主要倍增路径，由市科技局对接",
            acting_user=coordinator,
        )
    services.notice_start(
        round_=round_, starts_on=date(2017, 1, 23), ends_on=date(2017, 1, 30), acting_user=coordinator
    )
    target = (
        Application.objects.filter(round=round_, state=Application.State.PROPOSED)
        .exclude(enterprise=demo)
        .order_by("-pk")
        .first()
    )
    if target is not None:
        objection = services.objection_record(
            application=target,
            raised_by="匿名来信",
            content="反映该企业2015年存在欠薪情况。",
            received_on=date(2017, 1, 25),
            acting_user=coordinator,
        )
        services.objection_decide(
            objection=objection,
            decision=Objection.Decision.DISMISSED,
            reason="经人社局核实，欠薪问题已于2015年底解决",
            acting_user=coordinator,
        )
    result = services.round_publish(round_=round_, acting_user=coordinator, today=date(2017, 2, 10))
    return {"applications": len(applicants), "pilots": result["pilots"]}


def _expert_user(n: int, name: str) -> User:
    user = User(username=f"expert{n:02d}", role=Role.EXPERT, display_name=f"专家 {name}")
    user.set_unusable_password()
    user.save()
    return user


def _score(group, application, user, strength: float, rng: random.Random, stage: str) -> None:
    marks = {
        key: Decimal(min(100, max(0, round(strength + rng.uniform(-8, 8)))))
        for key in scoring.criteria(stage)
    }
    services.score_submit(group=group, application=application, marks=marks, acting_user=user)
