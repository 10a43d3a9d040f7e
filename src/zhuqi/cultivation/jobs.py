"""Background jobs of cultivation: the batch runs over every enterprise (pool proposals, the 小升规
lists, key-list proposals) and the Excel exports."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import YEAR_MAX, YEAR_MIN
from zhuqi.cultivation import exports, keylists, services
from zhuqi.cultivation.models import POOLS, ListKind, PoolKind


def _year(parameters: dict) -> int:
    year = parameters.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ZhuqiError("invalid_year", _("The year is not valid."), status=422, field="year")
    return year


def _kind(parameters: dict, allowed) -> str:
    kind = parameters.get("kind")
    if kind not in [str(k) for k in allowed]:
        raise ZhuqiError("unknown_pool", _("No such pool."), status=422, field="kind")
    return kind


def check_office(owner, parameters: dict) -> dict:
    permissions.require(
        owner, Capability.MANAGE_CULTIVATION, _("Only the coordinating office manages the pools.")
    )
    return {"kind": _kind(parameters, [*POOLS, "lists", *ListKind]), "year": _year(parameters)}


def check_read(owner, parameters: dict) -> dict:
    permissions.require(owner, Capability.READ_CULTIVATION)
    checked = jobs.text_filters("state", "town", "q")(owner, parameters)
    return checked | {
        "kind": _kind(
            parameters, [*PoolKind, *ListKind, *(f"gaps:{k}" for k in POOLS if k != PoolKind.UPSCALE)]
        ),
        "year": _year(parameters),
    }


def run_propose(job, progress) -> jobs.Outcome:
    progress(0, 1)
    kind, year = job.parameters["kind"], job.parameters["year"]
    if kind == "lists":
        counts = services.upscale_refresh(year=year, acting_user=job.owner)
    elif kind in ListKind.values:
        counts = keylists.list_propose(key_list=keylists.list_for(kind, year), acting_user=job.owner)
    else:
        counts = services.pool_propose(kind=kind, year=year, acting_user=job.owner)
    progress(1, 1)
    return jobs.Outcome({k: v for k, v in counts.items() if isinstance(v, int | str)})


def run_export(job, progress) -> jobs.Outcome:
    p = job.parameters
    kind, year = p["kind"], p["year"]
    if kind.startswith("gaps:"):
        content = exports.gaps(job.owner, kind=kind.split(":", 1)[1], year=year)
        return jobs.Outcome({}, content, f"gaps-{kind[5:]}-{year}.xlsx")
    if kind in ListKind.values:
        return jobs.Outcome(
            {}, exports.key_list(job.owner, kind=kind, year=year), f"key-list-{kind}-{year}.xlsx"
        )
    content = exports.members(
        job.owner, kind=kind, year=year, state=p["state"], town=p["town"], q=p["q"], progress=progress
    )
    return jobs.Outcome({}, content, f"pool-{kind}-{year}.xlsx")


jobs.register("cultivation.propose", label=_("Cultivation proposal"), run=run_propose, check=check_office)
jobs.register("export.cultivation", label=_("Cultivation export (.xlsx)"), run=run_export, check=check_read)
