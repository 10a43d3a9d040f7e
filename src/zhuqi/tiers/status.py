"""An enterprise's tier status: the tiers it holds today, the next rung of the ladder and, evaluated
live with the single evaluator, what it still lacks for it, with the trace (each indicator's points,
each group's subtotal against its minimum, which direct route applies)."""

from dataclasses import dataclass, field
from datetime import date

from zhuqi.policies import facts as facts_table
from zhuqi.rules import engine
from zhuqi.tiers import assessment
from zhuqi.tiers.models import LADDER, Recognition, Tier, next_tier

# The minimum each group's subtotal is held against (innovative pack).
GROUP_MINIMUMS = {
    "grp_innovation": "inn.min.innovation",
    "grp_growth": "inn.min.growth",
    "grp_specialisation": "inn.min.specialisation",
}


@dataclass
class Line:
    label: str
    value: object
    holds: bool | None = None
    minimum: object = None


@dataclass
class TierStanding:
    tier: str
    eligible: bool
    unknown: bool
    requirements: list[Line] = field(default_factory=list)
    points: list[Line] = field(default_factory=list)
    groups: list[Line] = field(default_factory=list)
    score: object = None
    routes: list[Line] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def lacking(self) -> list[Line]:
        return [r for r in self.requirements if r.holds is False]

    @property
    def label(self) -> str:
        return Tier(self.tier).label


def held(enterprise_id: int, day: date) -> list[Recognition]:
    return list(
        Recognition.objects.in_force(day).filter(enterprise_id=enterprise_id).order_by("-recognised_on")
    )


def top_tier(recognitions: list[Recognition]) -> str | None:
    tiers = {r.tier for r in recognitions}
    found = [t for t in LADDER if t in tiers]
    return found[-1] if found else None


def standing(enterprise_id: int, tier: str, day: date) -> TierStanding:
    pack = assessment.pack_of(tier)
    clause = pack.clauses[0]
    known, _unverified = facts_table.for_enterprise([pack], day.year, enterprise_id, day=day)
    one = engine.explain(pack, clause, known, day)
    derived = one.derived
    found = TierStanding(tier=tier, eligible=one.eligible, unknown=one.unknown)
    found.missing = [f.label for f in one.missing]
    for name, value in derived.items():
        d = pack.derived[name]
        if name.startswith("req_"):
            found.requirements.append(Line(d.label, value, value))
        elif name.startswith("pts_"):
            found.points.append(Line(d.label, engine.to_yuan(value) if value is not None else None))
        elif name.startswith("grp_"):
            minimum = pack.parameters[GROUP_MINIMUMS[name]].at(day) if name in GROUP_MINIMUMS else None
            holds = None if value is None or minimum is None else value >= minimum
            found.groups.append(
                Line(d.label, engine.to_yuan(value) if value is not None else None, holds, minimum)
            )
        elif name == "score":
            found.score = engine.to_yuan(value) if value is not None else None
        elif name.startswith("route_"):
            found.routes.append(Line(d.label, value, value))
    return found


@dataclass
class Status:
    held: list[Recognition]
    top: str | None
    next: str | None
    next_standing: TierStanding | None


def status_of(enterprise_id: int, day: date) -> Status:
    recognitions = held(enterprise_id, day)
    top = top_tier(recognitions)
    following = next_tier(top)
    return Status(
        recognitions, top, following, standing(enterprise_id, following, day) if following else None
    )
