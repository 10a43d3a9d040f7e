"""The demo city's chains, events against quotas and key projects (issue #11), at the walk's size."""

from datetime import date

import pytest
from django.utils import timezone

from zhuqi.accounts.models import User
from zhuqi.chains import quotas
from zhuqi.chains.models import Chain, Event, Quota
from zhuqi.demo import builder
from zhuqi.projects import status
from zhuqi.projects.models import Problem, Project

pytestmark = pytest.mark.django_db


def test_two_chains_a_year_of_events_and_thirty_projects_in_every_stage(db):
    builder.build(enterprises=40, progress=False)
    today = timezone.localdate()
    chains = list(Chain.objects.all())
    assert len(chains) == 2 and all(c.leader and c.lead_enterprise and c.lead_department for c in chains)
    assert all(c.members.count() == 8 and c.gaps.count() == 2 for c in chains)
    assert Quota.objects.filter(year=2026).count() == 5
    rows = quotas.progress(2026, min(today, date(2026, 12, 31)))
    states = {r.status for r in rows}
    assert quotas.BEHIND in states and quotas.MET in states  # some towns have not held their 产销 event
    assert Event.objects.filter(state="held", outcomes__isnull=False).exists()
    projects = list(Project.objects.all())
    assert len(projects) == 30
    assert len({p.state for p in projects}) >= 5
    levels = {s.level for s in status.statuses(projects, today).values()}
    assert {"green", "red"} <= levels
    assert Problem.objects.count() == 2
    leader = User.objects.get(username="leader")
    assert Project.objects.filter(liaison_leader=leader).exists()
