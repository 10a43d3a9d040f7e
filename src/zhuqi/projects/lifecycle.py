"""The life of a key project in one place: its stages (seed 003 三(三): 谋划项目抓引进，引进项目抓落地，
落地项目抓开工，开工项目抓推进，推进项目抓竣工，竣工项目抓投产) and every action on a project — from which
states, who may take it (viewflow's `Transition(permission=…)`), and its words.

Services check an action with `Action.check`; the project page offers `offered(user, project)`,
derived from the same entries; tests/projects/test_permission_agreement.py proves they agree for
every role, action and state.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule


class Stage(models.TextChoices):
    CONCEIVED = "conceived", _("Conceived (谋划)")
    SIGNED = "signed", _("Brought in, signed (引进·签约)")
    LANDED = "landed", _("Landed (落地)")
    STARTED = "started", _("Construction started (开工)")
    ADVANCING = "advancing", _("Being built (推进)")
    COMPLETED = "completed", _("Completed (竣工)")
    PRODUCING = "producing", _("In production (投产)")


STAGES: list[str] = [s.value for s in Stage]
STOPPED = "stopped"
STATE_LABELS = dict(Stage.choices) | {STOPPED: _("Stopped (终止)")}
ACTIVE_STATES = frozenset(STAGES)
BEFORE_PRODUCTION = frozenset(STAGES[:-1])
ALL_STATES = ACTIVE_STATES | {STOPPED}


def next_stage(stage: str) -> str | None:
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def _own_town(capability: Capability) -> Rule:
    return Rule(
        lambda u, o: permissions.has(u, capability) and u.town_id is not None and u.town_id == o.town_id,
        f"{capability.value} (its town)",
    )


def _liaison_leader(capability: Capability) -> Rule:
    return Rule(
        lambda u, o: permissions.has(u, capability) and u.pk is not None and u.pk == o.liaison_leader_id,
        f"{capability.value} (its liaison projects)",
    )


def _may_record_appeal_for(user, project) -> bool:
    """The appeals service's own test (appeals.services._may_submit_for): the enterprise itself
    online, or staff who may record appeals for an enterprise in their scope."""
    if project.enterprise_id is None:
        return False
    if permissions.has(user, Capability.SUBMIT_OWN_APPEAL):
        return user.enterprise_id == project.enterprise_id
    if permissions.has(user, Capability.RECORD_APPEAL):
        from zhuqi.directory.selectors import enterprises_visible_to

        return enterprises_visible_to(user).filter(pk=project.enterprise_id).exists()
    return False


# Who: the coordinating office on any project; a department on the projects it is responsible for;
# a town on its town's; the enterprise on its own; the liaison leader on its projects.
COORDINATING = permissions.anyone_with(Capability.MANAGE_ANY_PROJECT)
MANAGER = (
    COORDINATING
    | permissions.own_department(Capability.MANAGE_PROJECTS)
    | _own_town(Capability.MANAGE_PROJECTS)
)
REPORTER = (
    MANAGER
    | permissions.own_enterprise(Capability.REPORT_PROJECTS)
    | _liaison_leader(Capability.REPORT_PROJECTS)
)
PROBLEM_RAISER = Rule(
    lambda u, o: REPORTER(u, o) and _may_record_appeal_for(u, o),
    "report_projects, and may record an appeal for the project's enterprise",
)


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset
    permission: Rule
    done: object  # "A project that is <state> cannot be <done>."
    label: object  # its button and its line in the trail
    changes_stage: bool = False

    def allows(self, user, project) -> bool:
        return project.state in self.sources and self.permission(user, project)

    def check(self, acting_user, project) -> None:
        """409 invalid_transition if the project's state does not allow the action, then 403."""
        if project.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("A project that is %(state)s cannot be %(action)s."),
                    {"state": STATE_LABELS[project.state], "action": self.done},
                ),
            )
        if acting_user is not None:
            self.permission.require(acting_user, project, _("You may not do this to this project."))


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "advance",
            BEFORE_PRODUCTION,
            MANAGER,
            _("moved to its next stage"),
            _("Next stage reached"),
            changes_stage=True,
        ),
        Action("plan", ACTIVE_STATES, MANAGER, _("planned"), _("Plan dates and amounts")),
        Action("edit", ACTIVE_STATES, MANAGER, _("edited"), _("Edit")),
        Action("report", ACTIVE_STATES, REPORTER, _("reported on"), _("Monthly progress report")),
        Action("problem", ACTIVE_STATES, PROBLEM_RAISER, _("given a problem"), _("Raise a problem")),
        Action(
            "stop", BEFORE_PRODUCTION, COORDINATING, _("stopped"), _("Stop the project"), changes_stage=True
        ),
        Action("resume", frozenset({STOPPED}), COORDINATING, _("resumed"), _("Resume"), changes_stage=True),
    )
}

CREATE = MANAGER  # creating a project: on the new project's department or town


def offered(user, project) -> list[str]:
    """The actions the project page offers this user now (the same test the services make)."""
    return [name for name, a in ACTIONS.items() if a.allows(user, project)]
