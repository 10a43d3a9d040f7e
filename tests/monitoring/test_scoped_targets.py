"""Targets of an industry chain (its members) and of a programme (its current pilots): set by the
office through the service, page and API, broken down by the members' own seasonal profile, compared
with the members' actuals (best values), shown on the targets page and warned about when missed —
and kept apart from the city's and the towns' targets."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import make_pilot
from tests.monitoring.conftest import SHAPE, monthly
from zhuqi.chains.models import Chain, Member
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.monitoring import actuals, kinds, selectors, status, targets
from zhuqi.monitoring.models import Target

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring/targets"


@pytest.fixture
def scoped(world):
    """A chain of enterprise a (长安镇), a programme whose pilot is b (虎门镇). a: 1,000,000 × the shape
    a month from 2023, b: 500,000 × it; both reported to October 2026."""
    w = world
    for year, months in ((2023, 12), (2024, 12), (2025, 12), (2026, 10)):
        monthly(w.a, "revenue", year, [s * 1_000_000 for s in SHAPE[:months]])
        monthly(w.b, "revenue", year, [s * 500_000 for s in SHAPE[:months]])
    actuals.refresh(range(2023, 2027))
    w.chain = Chain.objects.create(code="ev", name="新能源汽车产业链")
    Member.objects.create(chain=w.chain, enterprise=w.a, position="core")
    w.pilot = make_pilot(w.b)
    w.programme = w.pilot.programme
    return w


def test_a_chain_target_follows_its_members_profile_and_actuals(scoped):
    w = scoped
    target = targets.target_set(
        acting_user=w.users["coordinator"],
        measure="revenue",
        year=2026,
        town=None,
        chain=w.chain,
        annual=Decimal(120_000_000),
    )
    months = [m.amount for m in target.months.all()]
    # The members' profile is the shape (its twelve months sum to 100): 6 % in January, 11 % in December.
    assert (
        sum(months) == Decimal(120_000_000)
        and months[0] == Decimal(7_200_000)
        and months[11] == Decimal(13_200_000)
    )
    p = status.progress(target)
    # To October: 79 % of the plan (94,800,000) against the member's 79,000,000 (not the city's 118,500,000).
    assert (
        p.through == 10
        and p.target_to_date == Decimal(94_800_000)
        and p.actual_to_date == Decimal(79_000_000)
    )
    assert p.colour == "red"
    assert AuditEvent.objects.get(verb="target_set", object_id=str(target.pk)).data["chain"] == w.chain.pk
    # The city's targets do not include it, and a city target of the same indicator may exist beside it.
    assert not selectors.targets(year=2026, town=None).exists()
    city = targets.target_set(
        acting_user=w.users["coordinator"], measure="revenue", year=2026, town=None, annual=Decimal(1)
    )
    assert list(selectors.targets(year=2026, town=None)) == [city]
    assert [t.pk for t in selectors.scoped_targets(year=2026, chain=w.chain)] == [target.pk]


def test_a_programme_target_reads_its_current_pilots(scoped):
    w = scoped
    target = targets.target_set(
        acting_user=w.users["coordinator"],
        measure="revenue",
        year=2026,
        town=None,
        programme=w.programme,
        annual=Decimal(48_000_000),
        method="even",
    )
    [p] = selectors.scoped_rows(2026, programme=w.programme)
    assert p.target.pk == target.pk and p.actual_to_date == Decimal(39_500_000)  # b's 79 × 500,000
    assert p.target_to_date == Decimal(40_000_000) and p.colour == "yellow"  # 98.75 %: between 95 % and 100 %
    w.pilot.state = "replaced"
    w.pilot.save()
    assert status.progress(target).actual_to_date is None  # no current pilot: nothing to compare


def test_only_the_office_sets_chain_and_programme_targets_and_one_scope_at_most(scoped):
    w = scoped
    with pytest.raises(ZhuqiError) as refused:
        targets.target_set(
            acting_user=w.users["town_a"], measure="revenue", year=2026, town=None, chain=w.chain, annual=1
        )
    assert refused.value.status == 403
    with pytest.raises(ZhuqiError) as refused:
        targets.target_set(
            acting_user=w.users["coordinator"],
            measure="revenue",
            year=2026,
            town=w.towns[0],
            chain=w.chain,
            annual=1,
        )
    assert refused.value.status == 422
    assert not Target.objects.exists()


def test_the_page_sets_and_shows_a_chain_target_with_its_rows(scoped, client):
    w = scoped
    client.force_login(w.users["coordinator"])
    page = client.get(f"/monitoring/targets/?year=2026&chain={w.chain.pk}").content.decode()
    assert "新能源汽车产业链" in page and f"chain={w.chain.pk}" in page
    got = client.post(
        "/monitoring/targets/set/",
        {
            "measure": "revenue",
            "year": "2026",
            "chain": str(w.chain.pk),
            "annual": "120000000",
            "method": "even",
        },
    )
    target = Target.objects.get(chain=w.chain)
    assert got.status_code == 302 and target.town_id is None and target.annual == Decimal(120_000_000)
    page = client.get(f"/monitoring/targets/?year=2026&chain={w.chain.pk}").content.decode()
    assert reverse("monitoring:target_detail", args=[target.pk]) in page and "7900万元" in page
    assert (
        "新能源汽车产业链"
        in client.get(reverse("monitoring:target_detail", args=[target.pk])).content.decode()
    )
    rows = client.get(reverse("monitoring:target_month_rows", args=[target.pk, 10])).content.decode()
    assert w.a.name in rows and w.b.name not in rows  # the drill-down: the members only
    city_page = client.get("/monitoring/targets/?year=2026").content.decode()
    assert reverse("monitoring:target_detail", args=[target.pk]) not in city_page
    client.force_login(w.users["town_a"])
    assert client.get(f"/monitoring/targets/set/?chain={w.chain.pk}").status_code == 404


def test_the_api_sets_and_lists_chain_and_programme_targets(scoped, client):
    w = scoped
    client.force_login(w.users["coordinator"])
    body = {"measure": "revenue", "year": 2026, "annual": "48000000", "method": "even"}
    got = client.put(API, {**body, "programme": w.programme.code}, content_type="application/json")
    assert got.status_code == 200, got.content
    assert got.json()["programme"] == w.programme.code and got.json()["town"] is None
    assert Decimal(got.json()["actual_to_date"]) == Decimal(39_500_000) and got.json()["colour"] == "yellow"
    listed = client.get(f"{API}?year=2026&programme={w.programme.code}").json()
    assert [t["programme"] for t in listed] == [w.programme.code]
    assert client.get(f"{API}?year=2026").json() == []  # the city's: none
    assert client.put(API, {**body, "chain": 999999}, content_type="application/json").status_code == 404
    bad = client.put(API, {**body, "chain": w.chain.pk, "town": "changan"}, content_type="application/json")
    assert bad.status_code == 422
    client.force_login(w.users["town_a"])
    assert client.put(API, {**body, "chain": w.chain.pk}, content_type="application/json").status_code == 403


def test_a_missed_chain_target_is_warned_about_in_the_chains_name(scoped):
    w = scoped
    target = targets.target_set(
        acting_user=w.users["coordinator"],
        measure="revenue",
        year=2026,
        town=None,
        chain=w.chain,
        annual=Decimal(120_000_000),
    )
    [finding] = [f for f in kinds.targets_missed(date(2026, 11, 5)) if f.subject_id == target.pk]
    assert (
        finding.level == "red" and finding.period == "2026-10" and finding.text.startswith("新能源汽车产业链")
    )


def test_the_cli_sets_a_chain_target_and_a_programme_target(scoped):
    from io import StringIO

    from django.core.management import CommandError, call_command

    def run(*args):
        out = StringIO()
        call_command("monitoring", "targets", "set", *args, "--year", "2026", "--method", "even", stdout=out)
        return out.getvalue()

    assert "= 100.00, 100.00" in run("revenue", "1200", "--chain", "ev")
    assert Target.objects.get(chain__code="ev", measure="revenue", year=2026).annual == 1200
    with pytest.raises(CommandError, match="unknown industry chain"):
        run("revenue", "1200", "--chain", "nope")
    with pytest.raises(CommandError, match="unknown programme"):
        run("revenue", "1200", "--programme", "nope")
