"""The work waiting for a user, for the home page: counts that link to the filtered lists.

Which queues a user has follows from its capabilities (core/permissions.py); the counts come from
the apps' scoped selectors, a fixed number of queries whatever the role or the data (at most four:
appeals, applications and offers, warnings or, for an enterprise, its surveys to answer; a test holds it).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.assessment import selectors as assessment_selectors
from zhuqi.core.permissions import Capability as C
from zhuqi.core.permissions import has
from zhuqi.monitoring import selectors as monitoring_selectors
from zhuqi.policies import selectors as policy_selectors
from zhuqi.programs import selectors as programme_selectors


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    count: int
    url: str
    urgent: bool = False  # shown in the warning colour when not zero


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def queues_for(user, now=None) -> list[Queue]:
    queues: list[Queue] = []
    if has(user, C.BROWSE_APPEALS):
        queues += _appeal_queues(user, appeal_selectors.work_counts(user, now))
    if has(user, C.APPLY_FOR_POLICIES) or has(user, C.READ_POLICY_FIGURES) or has(user, C.DISBURSE_GRANTS):
        queues += _policy_queues(user, policy_selectors.work_counts(user))
    if has(user, C.SCORE_APPLICATIONS):
        queues.append(
            Queue(
                "to_score",
                _("Applications to score"),
                programme_selectors.to_score_count(user),
                _url("programs:my_reviews"),
                urgent=True,
            )
        )
    if has(user, C.ANSWER_SURVEYS) and user.enterprise_id:
        queues.append(
            Queue(
                "surveys",
                _("Surveys to answer"),
                assessment_selectors.work_counts(user)["surveys"],
                _url("assessment:campaigns", todo="1"),
                urgent=True,
            )
        )
    if has(user, C.HANDLE_WARNINGS):
        queues.append(
            Queue(
                "warnings",
                _("Warnings to handle"),
                monitoring_selectors.to_handle_count(user),
                _url("monitoring:warnings", state="open"),
                urgent=True,
            )
        )
    return queues


def _appeal_queues(user, n: dict[str, int]) -> list[Queue]:
    def q(key, label, count, urgent=False, **params):
        return Queue(key, label, count, _url("appeals:appeal_list", **params), urgent)

    if has(user, C.RATE_APPEALS):
        return [
            q("appeals_open", _("My open appeals"), n["open"], state="open"),
            q("to_rate", _("Replies waiting for my rating"), n["replied"], True, state="replied"),
        ]
    if has(user, C.HANDLE_APPEALS) and user.department_id:
        mine = {"department": user.department.code}
        return [
            q("to_accept", _("To accept"), n["mine_to_accept"], True, state="dispatched", **mine),
            q("accepted", _("Being handled"), n["mine_accepted"], state="accepted", **mine),
            q("near", _("Near the deadline"), n["mine_near"], True, due="near", **mine),
            q("overdue", _("Overdue"), n["mine_overdue"], True, due="overdue", **mine),
            q(
                "supervised",
                _("Supervision orders (督办)"),
                n["mine_supervised"],
                True,
                supervised="1",
                **mine,
            ),
        ]
    queues = []
    if has(user, C.COORDINATE_APPEALS):
        queues.append(q("to_dispatch", _("To dispatch"), n["to_dispatch"], True, state="submitted"))
    else:
        queues.append(q("appeals_open", _("Open appeals"), n["open"], state="open"))
    queues += [
        q("near", _("Near the deadline"), n["near"], True, due="near"),
        q("overdue", _("Overdue"), n["overdue"], True, due="overdue"),
        q("supervised", _("Supervision orders (督办)"), n["supervised"], True, supervised="1"),
        q("escalated", _("At the coordination meeting"), n["escalated"], state="escalated"),
    ]
    return queues


def _policy_queues(user, n: dict[str, int]) -> list[Queue]:
    applications = _url("policies:application_list", state="submitted")
    if has(user, C.APPLY_FOR_POLICIES):
        return [
            Queue(
                "my_applications",
                _("My applications under review"),
                n["applications_submitted"],
                applications,
            ),
            Queue(
                "to_confirm",
                _("Grant offers to confirm"),
                n["offers_offered"],
                _url("policies:offer_list", state="offered"),
                urgent=True,
            ),
        ]
    reviews = has(user, C.REVIEW_APPLICATIONS) or has(user, C.REVIEW_ANY_APPLICATION)
    label = _("Applications to review") if reviews else _("Applications under review")
    queues = [Queue("applications", label, n["applications_submitted"], applications, urgent=reviews)]
    if has(user, C.DISBURSE_GRANTS):
        queues.append(
            Queue(
                "to_batch",
                _("Confirmed offers waiting for a disbursement batch"),
                n["offers_confirmed"],
                _url("policies:offer_list", state="confirmed"),
                urgent=True,
            )
        )
    return queues


def engagement_queues(user, today=None) -> list[Queue]:
    """Engagement's queues (issue 11), beside the others on the home page: tracked tasks, and for a
    liaison leader the visits due this week and the problems raised on its visits."""
    if not has(user, C.FOLLOW_ENGAGEMENT):
        return []
    from zhuqi.engagement import selectors as engagement_selectors
    from zhuqi.projects import selectors as project_selectors

    extra = {}
    if project_selectors.answers_for_projects(user):
        from django.utils import timezone

        extra["projects_late"] = project_selectors.late_count_subquery(user, today or timezone.localdate())
    n = engagement_selectors.home_counts(user, today, extra)
    queues = []
    if "visits_due" in n:
        queues += [
            Queue(
                "visits_due",
                _("Enterprises not yet contacted this week"),
                n["visits_due"],
                _url("engagement:liaison_list", leader=user.get_username()),
                urgent=True,
            ),
            Queue(
                "visit_problems",
                _("Open problems raised on my visits"),
                n["visit_problems"],
                _url("engagement:visit_list", leader="me", problems="open"),
            ),
        ]
    queues += [
        Queue(
            "tasks_open",
            _("Open tracked tasks (督办事项)"),
            n["tasks_open"],
            _url("engagement:task_list", state="open"),
        ),
        Queue(
            "tasks_overdue",
            _("Overdue tracked tasks"),
            n["tasks_overdue"],
            _url("engagement:task_list", due="overdue"),
            urgent=True,
        ),
    ]
    if "projects_late" in n:
        queues.append(
            Queue(
                "projects_late",
                _("Key projects behind their stage dates"),
                n["projects_late"],
                _url("projects:project_list", late="1"),
                urgent=True,
            )
        )
    return queues


def cultivation_queues(user, today=None) -> list[Queue]:
    return cultivation_home(user, today)[0]


def cultivation_home(user, today=None) -> tuple[list[Queue], int | None]:
    """The 小升规 lists of this year (issue 10) for those who work them: the office and a town's
    officers over their scope, a helper (服务专员) over the members it helps (shown when it helps one);
    each links to the list showing exactly the members counted (on the list; `helper=me` for a
    helper). With them, in the same one query, the tier recognitions expiring within six months the
    tiers card of the home page shows (None: not read here; the card reads it itself)."""
    from django.utils import timezone

    from zhuqi.cultivation import selectors as cultivation_selectors
    from zhuqi.tiers import selectors as tier_selectors

    today = today or timezone.localdate()
    year = today.year
    also = {}
    if has(user, C.READ_TIERS):
        expiring = tier_selectors.recognition_list(user, state="expiring", today=today)
        also["tier_expiring"] = cultivation_selectors.count_of(expiring, "revoked_on")
    n = cultivation_selectors.home_counts(user, year, also=also)
    if n is None:
        return [], None
    expiring_count = n.get("tier_expiring")
    if n["helper"] and not any(n[k] for k in ("near", "first", "drop")):
        return [], expiring_count
    mine = {"helper": "me"} if n["helper"] else {}

    def q(kind, label, urgent=False):
        params = {"year": year, "state": "admitted"} | mine
        return Queue(
            f"upscale_{kind}",
            label,
            n[kind],
            reverse("cultivation:pool", args=[kind]) + "?" + urlencode(params),
            urgent,
        )

    queues = [
        q("near", _("Near above-scale (准规上)")),
        q("first", _("Expected to report first (拟入库)")),
        q("drop", _("At risk of dropping out (易退库)"), urgent=True),
    ]
    return queues, expiring_count
