"""The doubling programme's selection of a round of 5,000 applications (issue #9): the formal check
(eligibility pack over the directory's figures, findings written back), the cross-check (declared
figures against the 税务局 and 统计局 values) and the ranking with the proposal (ranks, 200 + N +
reserve, departments, written back) — each against a plain ORM read of the same rows in the same run.

    .venv/bin/python -m bench.programs_selection                    # SQLite and PostgreSQL, 5,000
    .venv/bin/python -m bench.programs_selection --applications 1000 --backends sqlite

Each backend runs in its own process: SQLite in a fresh temporary ZHUQI_DATA_DIR, PostgreSQL in a
database `zhuqi_bench_programs` dropped and created on BENCH_PG (default
postgres://postgres@127.0.0.1:5432). The world: one enterprise per application, each with 2014 and
2015 revenue, 2015 profit and tax from both bureaus (30,000 indicator rows), six declared figures
per application (30,000 rows), 4 % of them 8 % above the bureaus'; a combined score for every
application. Times are the best of 3 (the check and the proposal are re-run from the same state).
Baselines — the rows each step reads, as a plain ORM query:
- formal check: the applications with their enterprises (model instances) and the enterprises'
  indicator values (values_list);
- cross-check: the declared figures with their application's enterprise and the bureaus' values;
- ranking: the applications in review (model instances).
Figures: bench/README.md.
"""

import argparse
import random
import time
from datetime import date
from decimal import Decimal

from bench import backends


def best_of(n: int, work, before=None):
    times, result = [], None
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def populate(count: int):
    from django.db import transaction

    from zhuqi.accounts.models import Role, User
    from zhuqi.core import uscc
    from zhuqi.directory.models import Department, Enterprise, IndicatorValue, Town
    from zhuqi.programs import services
    from zhuqi.programs.models import Application, DeclaredFigure, GrowthDriver

    rng = random.Random(9)
    classes = list(Enterprise.DoublingClass.values)
    drivers = list(GrowthDriver.values)
    office = User.objects.create(username="office", role=Role.COORDINATOR)
    town = Town.objects.create(code="bench", name="基准镇", kind="town")
    departments = {
        c: Department.objects.create(code=f"d{i}", name=f"责任部门{i}", level="city")
        for i, c in enumerate(classes)
    }
    with transaction.atomic():
        Enterprise.objects.bulk_create(
            [
                Enterprise(
                    uscc=uscc.make("441900", f"P{i:07d}"),
                    name=f"申报企业{i}",
                    town=town,
                    doubling_class=classes[i % 4],
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
        enterprises = list(Enterprise.objects.order_by("pk"))
        values, revenue_of = [], {}
        for i, e in enumerate(enterprises):
            revenue = Decimal(rng.randint(15_000_000, 900_000_000))
            revenue_of[e.pk] = revenue
            growth = Decimal(rng.choice(["1.05", "1.15", "1.25", "1.4"]))
            for key, year, value in (
                ("revenue", 2015, revenue),
                ("revenue", 2014, revenue / growth),
                ("total_profit", 2015, revenue / (20 if i % 17 else -50)),
            ):
                for source in ("stats", "tax"):
                    values.append(
                        IndicatorValue(
                            enterprise=e,
                            indicator=key,
                            period_type="year",
                            year=year,
                            period_no=1,
                            value=value.quantize(Decimal("0.01")),
                            source=source,
                            verified=True,
                        )
                    )
            values.append(
                IndicatorValue(
                    enterprise=e,
                    indicator="tax_paid",
                    period_type="year",
                    year=2015,
                    period_no=1,
                    value=(revenue / 25).quantize(Decimal("0.01")),
                    source="tax",
                    verified=True,
                )
            )
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
    programme = services.programme_create(
        code="bench", name="倍增计划", classes=departments, acting_user=office
    )
    round_ = services.round_open(
        programme=programme,
        name="基准批次",
        opens_on=date(2017, 1, 1),
        closes_on=date(2017, 1, 31),
        check_year=2015,
        acting_user=office,
    )
    with transaction.atomic():
        Application.objects.bulk_create(
            [
                Application(
                    number=f"BZ2017{i:06d}",
                    round=round_,
                    enterprise=e,
                    enterprise_class=e.doubling_class,
                    drivers=[drivers[i % 7]],
                    commitment_years=3 if i % 2 else 5,
                    score=Decimal(rng.randint(6000, 9500)) / 100,
                )
                for i, e in enumerate(enterprises)
            ],
            batch_size=2000,
        )
        figures = []
        for a in Application.objects.filter(round=round_).only("pk", "enterprise_id", "number"):
            revenue = revenue_of[a.enterprise_id]
            declared = revenue * Decimal("1.08") if int(a.number[-2:]) < 4 else revenue
            for key, year, value in (
                ("revenue", 2015, declared),
                ("revenue", 2014, revenue / Decimal("1.2")),
                ("total_profit", 2015, revenue / 20),
                ("tax_paid", 2015, revenue / 25),
                ("main_revenue", 2016, revenue),
                ("tax_paid", 2016, revenue / 25),
            ):
                figures.append(
                    DeclaredFigure(
                        application_id=a.pk, indicator=key, year=year, value=value.quantize(Decimal("0.01"))
                    )
                )
        DeclaredFigure.objects.bulk_create(figures, batch_size=5000)
    round_.stage = "review"
    round_.save(update_fields=["stage"])
    return office, round_


def measure(count: int, rounds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhuqi.directory.models import IndicatorValue
    from zhuqi.programs import services
    from zhuqi.programs.models import Application, CrossCheck, DeclaredFigure

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    office, round_ = populate(count)
    built = time.perf_counter() - start
    apps = Application.objects.filter(round=round_)

    def reset_check():
        apps.update(state="submitted", check_result="pending")

    def read_check():
        rows = list(apps.select_related("enterprise"))
        ids = [a.enterprise_id for a in rows]
        values = list(
            IndicatorValue.objects.filter(enterprise_id__in=ids, period_type="year").values_list(
                "enterprise_id", "indicator", "year", "source", "value", "verified"
            )
        )
        return len(rows) + len(values)

    base_check, _n = best_of(rounds, read_check)
    check_s, counts = best_of(
        rounds, lambda: services.formal_check_run(round_=round_, acting_user=office), before=reset_check
    )

    def read_cross():
        declared = list(
            DeclaredFigure.objects.filter(application__round=round_).values_list(
                "application_id", "application__enterprise_id", "indicator", "year", "value"
            )
        )
        bureau = list(
            IndicatorValue.objects.filter(period_type="year", source__in=["tax", "stats"]).values_list(
                "enterprise_id", "indicator", "year", "source", "value"
            )
        )
        return len(declared) + len(bureau)

    base_cross, _n = best_of(rounds, read_cross)
    cross_s, flags = best_of(rounds, lambda: services.cross_check_run(round_=round_, acting_user=office))

    in_review = apps.filter(state__in=["in_review", "proposed"])
    base_rank, _n = best_of(rounds, lambda: len(list(in_review.select_related("enterprise"))))
    rank_s, proposal = best_of(rounds, lambda: services.proposal_make(round_=round_, acting_user=office))

    print(f"\n== {connection.vendor}: {count:,} applications (world built in {built:.1f} s)")
    print(
        f"formal check   {check_s:7.3f} s   baseline {base_check:6.3f} s   ×{check_s / base_check:5.1f}   {counts}"
    )
    print(
        f"cross-check    {cross_s:7.3f} s   baseline {base_cross:6.3f} s   ×{cross_s / base_cross:5.1f}   {flags:,} flags ({CrossCheck.objects.count():,} stored)"
    )
    print(
        f"ranking        {rank_s:7.3f} s   baseline {base_rank:6.3f} s   ×{rank_s / base_rank:5.1f}   {proposal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=backends.BACKENDS, choices=backends.BACKENDS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.applications, args.rounds)
        return
    backends.run_each(
        "bench.programs_selection",
        "zhuqi_bench_programs",
        args.backends,
        ["--applications", str(args.applications), "--rounds", str(args.rounds)],
    )


if __name__ == "__main__":
    main()
