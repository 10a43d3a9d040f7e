"""The demo programme after its 2017 selection (demo/programs.py): the pilots' main revenue and tax
of 2017–2020 (growth profiles that keep some on their path, double some early and leave some too
slow), the annual evaluations run early 2018–2021 through the real services (third-party
assessments, the committee's proposal, the city government's approval, replacements from the
reserve, re-entry after doubling), half-yearly reporting tasks with most of them overdue, and a
policy list. Deterministic."""

import random
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from zhuqi.accounts.models import User
from zhuqi.directory.models import Enterprise, IndicatorValue, PeriodType
from zhuqi.policies.models import Clause
from zhuqi.programs import evaluation, monitoring_services, policy_lists
from zhuqi.programs.evaluation_models import ReportingTask
from zhuqi.programs.models import Application, Pilot, Programme

SEED = 2018
YEARS = range(2017, 2021)  # evaluated early 2018 … 2021
# Yearly growth by profile: 3-year path ≈ 26 %, 5-year ≈ 14.9 %.
PROFILES = ("steady", "steady", "fast", "late", "slow")


def _rates(profile: str, commitment: int, rng: random.Random) -> list[float]:
    path = 2 ** (1 / commitment) - 1
    if profile == "fast":
        return [rng.uniform(0.36, 0.45)] * 4
    if profile == "late":  # slow the first year, then back on its path
        return [0.03, path + 0.12, path + 0.05, path + 0.03]
    if profile == "slow":
        return [rng.uniform(0.0, 0.05) for _ in range(4)]
    return [path + rng.uniform(0.01, 0.04) for _ in range(4)]


def _series(programme: Programme, demo: Enterprise, rng: random.Random) -> int:
    """Main revenue and tax of 2017–2020 for every applicant of the programme, from its 2016 figures."""
    applicants = list(
        Application.objects.filter(round__programme=programme).select_related("enterprise").order_by("id")
    )
    base = {
        (e, k): v
        for e, k, v in IndicatorValue.objects.filter(
            enterprise_id__in=[a.enterprise_id for a in applicants],
            year=2016,
            period_type=PeriodType.YEAR,
            indicator__in=["main_revenue", "tax_paid"],
        ).values_list("enterprise_id", "indicator", "value")
    }
    rows = []
    for i, application in enumerate(applicants):
        e = application.enterprise_id
        profile = "steady" if e == demo.pk else PROFILES[i % len(PROFILES)]
        rates = _rates(profile, application.commitment_years, rng)
        revenue, tax = base.get((e, "main_revenue")), base.get((e, "tax_paid"))
        if revenue is None or tax is None:
            continue
        revenue, tax = float(revenue), float(tax)
        for year, rate in zip(YEARS, rates, strict=True):
            revenue *= 1 + rate
            tax *= 1 + rate * rng.uniform(0.8, 1.1)
            for key, value, source in (("main_revenue", revenue, "stats"), ("tax_paid", tax, "tax")):
                rows.append(
                    IndicatorValue(
                        enterprise_id=e,
                        indicator=key,
                        period_type=PeriodType.YEAR,
                        year=year,
                        period_no=1,
                        value=Decimal(value).quantize(Decimal("0.01")),
                        source=source,
                        verified=True,
                    )
                )
    IndicatorValue.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _evaluate(programme: Programme, coordinator: User) -> dict[int, dict]:
    done = {}
    for year in YEARS:
        run = evaluation.evaluation_run(programme=programme, year=year, acting_user=coordinator)
        for n, item in enumerate(run.items.filter(decision="probation", assessment_feasible__isnull=True)):
            feasible = n % 4 != 3
            evaluation.item_amend(
                item=item,
                acting_user=coordinator,
                assessment="feasible" if feasible else "not_feasible",
                assessment_note="第三方评估：仍具备最终年度倍增可行性"
                if feasible
                else "第三方评估：已不具备倍增可行性",
                upload=SimpleUploadedFile(f"{year}年度第三方评估报告.pdf", b"%PDF-1.4\n%%EOF\n"),
            )
        for item in run.items.filter(decision="doubled"):
            evaluation.item_amend(item=item, acting_user=coordinator, reenter=True)
        evaluation.evaluation_propose(
            evaluation=run,
            committee_note=f"遴选委员会{year + 1}年第1次会议审议通过",
            proposed_on=date(year + 1, 2, 8),
            acting_user=coordinator,
        )
        done[year] = evaluation.evaluation_approve(
            evaluation=run,
            approval_document=f"东府函〔{year + 1}〕{10 + year % 10}号",
            approved_on=date(year + 1, 2, 26),
            acting_user=coordinator,
        )
    return done


def build(demo: Enterprise) -> dict[str, int]:
    rng = random.Random(SEED)
    programme = Programme.objects.filter(level=Programme.Level.CITY).order_by("id").first()
    if programme is None:
        return {"evaluations": 0, "tasks": 0}
    coordinator = User.objects.get(username="coordinator")
    _series(programme, demo, rng)
    done = _evaluate(programme, coordinator)
    # The half-yearly reports of 2026: the first half is past due; the demo enterprise has reported.
    tasks = monitoring_services.tasks_issue(programme=programme, year=2026, half=1, acting_user=coordinator)
    own = ReportingTask.objects.filter(pilot__enterprise=demo, year=2026, half=1).first()
    owner = User.objects.filter(enterprise=demo).first()
    if own is not None and owner is not None:
        monitoring_services.task_submit(
            task=own,
            figures={"main_revenue": "86000000", "tax_paid": "4300000", "total_assets": "240000000"},
            operating_status="订单饱满，二期厂房投产，产能利用率约九成。",
            acting_user=owner,
        )
    pilot = Pilot.objects.filter(enterprise=demo, state__in=Pilot.CURRENT_STATES).first()
    for clause in Clause.objects.filter(retired=False).order_by("code")[:2] if pilot else []:
        policy_lists.entry_add(
            pilot=pilot, clause_code=clause.code, note="责任部门跟踪落实", acting_user=coordinator
        )
    return {"evaluations": len(done), "tasks": tasks}
