"""What the audit hash chain costs: transactions writing one audit event each, sealed at commit
(the chain-head lock, the hash, the update) against the same transactions with sealing switched off,
in the same run; then `verify` over every event written.

    .venv/bin/python -m bench.audit_chain [--transactions 1000] [--events 1]

SQLite in a temporary data folder unless DATABASE_URL names a PostgreSQL database (it is migrated,
and the audit rows it writes stay).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--events", type=int, default=1, help="audit events per transaction")
    args = parser.parse_args()
    os.environ.setdefault("ZHUQI_DATA_DIR", tempfile.mkdtemp(prefix="zhuqi-bench-audit-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuqi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhuqi.accounts.models import Role, User
    from zhuqi.core import audit, audit_chain

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-audit", defaults={"role": Role.COORDINATOR})

    def run(sealed: bool) -> list[float]:
        original = audit_chain.seal_on_commit
        if not sealed:
            audit_chain.seal_on_commit = lambda: None
        times = []
        try:
            for i in range(args.transactions):
                start = time.perf_counter()
                with transaction.atomic():
                    for j in range(args.events):
                        audit.record(actor=user, verb="bench", obj=user, data={"i": i, "j": j})
                times.append(time.perf_counter() - start)
        finally:
            audit_chain.seal_on_commit = original
        return times

    rounds = {"unsealed": [], "sealed": []}
    for _ in range(2):  # alternate, so drift of the shared machine hits both
        rounds["unsealed"] += run(False)
        audit_chain.seal()  # the unsealed rows are chained here, outside the timing
        rounds["sealed"] += run(True)
    print(f"{connection.vendor}, {args.transactions} × 2 transactions of {args.events} event(s) each")
    for name, times in rounds.items():
        ms = sorted(t * 1000 for t in times)
        print(
            f"  {name:<9} median {statistics.median(ms):6.2f} ms  p99 {ms[int(len(ms) * 0.99) - 1]:6.2f} ms"
        )
    ratio = statistics.median(rounds["sealed"]) / statistics.median(rounds["unsealed"])
    print(f"  sealed / unsealed (median): {ratio:.2f}×")
    start = time.perf_counter()
    verdict = audit_chain.verify()
    elapsed = time.perf_counter() - start
    print(
        f"  verify: {verdict.checked} events in {elapsed:.2f} s ({verdict.checked / elapsed:,.0f}/s), ok={verdict.ok}"
    )
    sys.exit(0 if verdict.ok else 1)


if __name__ == "__main__":
    main()
