"""The demo city's cultivation (issue #10, items 4–7): pools and lists for 2025 and 2026 through the
real services — 小升规 targets by town (seed 002 (四)14's 22 new 规上 enterprises spread over the
towns), proposals admitted with a department and a helper, a declined and a departed member, the three
lists with some 易退库 enterprises and the help recorded for them, the key lists (2025 published, 2026
under review, one late reporter out) and the ladder's targets."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count

from zhuqi.accounts.models import User
from zhuqi.cultivation import keylists, proposals, services
from zhuqi.cultivation.models import (
    POOLS,
    EntryState,
    ListKind,
    ListState,
    Membership,
    MembershipState,
    PoolKind,
    Tier,
)
from zhuqi.directory.models import Department, Enterprise, IndicatorValue, PeriodType, Town

TZ = ZoneInfo("Asia/Shanghai")
YEARS = (2025, 2026)
# seed 002 (四)14 「力争全年新增规模以上工业企业22家」, spread over the towns with the most enterprises
UPSCALE_TARGET = 22


def _reported_on_time(late: list[int]) -> None:
    """The annual figures of year Y as reported in February of Y+1; `late` reported 2025's in May."""
    for year in range(2020, 2026):
        IndicatorValue.objects.filter(period_type=PeriodType.YEAR, year=year).update(
            updated_at=datetime(year + 1, 2, 15, 10, tzinfo=TZ)
        )
    IndicatorValue.objects.filter(enterprise_id__in=late, period_type=PeriodType.YEAR, year=2025).update(
        updated_at=datetime(2026, 5, 12, 10, tzinfo=TZ)
    )


def _falling(count: int) -> list[int]:
    """A few 规上 enterprises whose 2026 quarters fell by half: the 易退库 list has someone on it."""
    ids = list(
        Enterprise.objects.filter(tags__name="规上企业").order_by("id").values_list("id", flat=True)[:count]
    )
    for value in IndicatorValue.objects.filter(
        enterprise_id__in=ids, period_type=PeriodType.QUARTER, year=2026, indicator="revenue"
    ):
        IndicatorValue.objects.filter(pk=value.pk).update(value=(value.value / 2).quantize(value.value))
    return ids


def build(demo_enterprise: Enterprise) -> dict:
    office = User.objects.get(username="coordinator")
    town_officer = User.objects.filter(username="town").first()
    handler = User.objects.filter(username="handler").first()
    miit = Department.objects.filter(code="miit").first()
    biggest = list(Town.objects.annotate(n=Count("enterprises")).filter(n__gt=0).order_by("-n", "code")[:4])
    if town_officer and town_officer.town and town_officer.town not in biggest:
        biggest = [town_officer.town, *biggest[:3]]
    shares = [UPSCALE_TARGET // len(biggest)] * len(biggest) if biggest else []
    for i in range(UPSCALE_TARGET - sum(shares)):
        shares[i % len(shares)] += 1
    late = list(Enterprise.objects.order_by("-id").values_list("id", flat=True)[:1])
    _reported_on_time(late)
    falling = _falling(3)
    summary = {"members": 0, "drop": 0, "listed": 0}
    for year in YEARS:
        for town, share in zip(biggest, shares, strict=True):
            services.target_set(kind=PoolKind.UPSCALE, year=year, town=town, target=share, acting_user=office)
        evaluated = proposals.evaluate(year)
        for kind in POOLS:
            if kind != PoolKind.UPSCALE:
                services.target_set(kind=kind, year=year, target=10, acting_user=office)
            services.pool_propose(kind=kind, year=year, acting_user=office, evaluated=evaluated)
            proposed = list(
                Membership.objects.filter(kind=kind, year=year, state=MembershipState.PROPOSED)
                .select_related("enterprise__town")
                .order_by("rank", "id")
            )
            for i, member in enumerate(proposed[:6]):
                ours = (
                    town_officer
                    if town_officer and member.enterprise.town_id == town_officer.town_id
                    else handler
                )
                services.membership_admit(
                    membership=member,
                    acting_user=office,
                    reason="经镇街走访核实，符合入库标准" if i % 2 else "",
                    department=miit,
                    helper=ours,
                    today=date(year, 3, 1),
                )
                summary["members"] += 1
            if len(proposed) > 6:
                services.membership_decline(
                    membership=proposed[6], acting_user=office, reason="企业已迁出本市，不再培育"
                )
            admitted = [m for m in proposed[:6] if m.state == MembershipState.ADMITTED]
            if year == 2025 and len(admitted) > 5:
                services.membership_exit(
                    membership=admitted[5], acting_user=office, reason="已升规纳统", today=date(2025, 11, 30)
                )
        services.upscale_refresh(year=year, acting_user=office, evaluated=evaluated, today=date(year, 10, 20))
        for member in Membership.objects.filter(
            kind=PoolKind.DROP, year=year, state=MembershipState.ADMITTED
        ).select_related("enterprise__town")[:4]:
            ours = (
                town_officer
                if town_officer and member.enterprise.town_id == town_officer.town_id
                else handler
            )
            services.membership_assign(membership=member, acting_user=office, department=miit, helper=ours)
            services.help_note_add(
                membership=member,
                acting_user=ours or office,
                text="上门走访，协调订单对接与应急转贷，企业预计四季度产值回升",
                helped_on=date(year, 10, 28),
            )
            summary["drop"] += 1
        for kind in ListKind.values:  # the three enterprise lists and the 超亿元 projects
            key_list = keylists.list_for(kind, year)
            if key_list.state != ListState.DRAFT:  # built before (a second build of the demo)
                continue
            keylists.list_propose(key_list=key_list, acting_user=office)
            if year == 2025:
                keylists.list_publish(key_list=key_list, acting_user=office)
        summary["listed"] += (
            keylists.list_for(ListKind.SCALE, year).entries.filter(state=EntryState.IN).count()
        )
    # 2026's scale list under review: the office takes one out and puts the demo enterprise in.
    draft = keylists.list_for(ListKind.SCALE, 2026)
    last = draft.entries.filter(state=EntryState.IN).order_by("-rank").first()
    if last is not None and last.enterprise_id != demo_enterprise.pk:
        keylists.list_remove(entry=last, acting_user=office, reason="发生安全生产事故，本年度暂缓列入")
        if not draft.entries.filter(enterprise=demo_enterprise).exists():
            keylists.list_add(
                key_list=draft, enterprise=demo_enterprise, acting_user=office, reason="产业链关键配套企业"
            )
    # The ladder (seed 002): 22 new 规上 (二（四）14, by town as the 小升规 targets), 5 new 专精特新 (二（四）13).
    services.ladder_target_set(
        year=2026,
        tier=Tier.ABOVE_SCALE,
        target=UPSCALE_TARGET,
        source="温县方案 二（四）14",
        acting_user=office,
    )
    for town, share in zip(biggest, shares, strict=True):
        services.ladder_target_set(
            year=2026, tier=Tier.ABOVE_SCALE, town=town, target=share, acting_user=office
        )
    services.ladder_target_set(
        year=2026, tier=Tier.SPECIALISED, target=5, source="温县方案 二（四）13", acting_user=office
    )
    summary["falling"] = len(falling)
    return summary
