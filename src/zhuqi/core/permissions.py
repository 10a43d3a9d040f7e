"""Who may do what, in one place.

Capabilities are named here (as saleor's `permission/enums.py`) and granted to roles in one table,
`GRANTS`; a role set is never spelled where it is used. Object-level rules (may this user act on
this appeal, application, offer or enterprise?) are built from a capability and the user's
membership: `own_enterprise`, `own_department`, `liaison_of`, `submitter`. Services call
`require(...)` or `rule.require(...)` and raise the platform's 403; pages, templates and the API ask
`has(...)` or `rule(user, obj)` to decide what to offer, so the two cannot disagree.

Scope of reads (which rows a user sees at all) is the selectors' business; `sees_everything` is the
one capability they share.

The README's capability table is `markdown_table()`; a test keeps the two equal.
"""

from collections.abc import Callable
from enum import StrEnum
from operator import attrgetter

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role
from zhuqi.core.errors import Forbidden


class Capability(StrEnum):
    # Reading
    SEE_EVERYTHING = "see_everything"
    BROWSE_DIRECTORY = "browse_directory"
    BROWSE_APPEALS = "browse_appeals"
    OVERSEE_APPEALS = "oversee_appeals"
    READ_POLICY_FIGURES = "read_policy_figures"
    # Directory
    EDIT_DIRECTORY = "edit_directory"
    RECORD_INDICATORS = "record_indicators"
    VERIFY_INDICATORS = "verify_indicators"
    FEED_DATA = "feed_data"
    # Platform settings
    EDIT_SETTINGS = "edit_settings"
    READ_AUDIT = "read_audit"
    # Appeals
    SUBMIT_OWN_APPEAL = "submit_own_appeal"
    RECORD_APPEAL = "record_appeal"
    RECEIVE_HOTLINE_APPEAL = "receive_hotline_appeal"
    IMPORT_APPEAL_LEDGER = "import_appeal_ledger"
    COORDINATE_APPEALS = "coordinate_appeals"
    HANDLE_APPEALS = "handle_appeals"
    RATE_APPEALS = "rate_appeals"
    INSTRUCT_APPEALS = "instruct_appeals"
    # Policies and grants
    CONFIGURE_POLICIES = "configure_policies"
    RUN_MATCHING = "run_matching"
    REVIEW_ANY_APPLICATION = "review_any_application"
    REVIEW_APPLICATIONS = "review_applications"
    APPLY_FOR_POLICIES = "apply_for_policies"
    DISBURSE_GRANTS = "disburse_grants"
    # Programs
    SCORE_APPLICATIONS = "score_applications"
    # Pilots after selection (monitoring, evaluation)
    FOLLOW_PILOTS = "follow_pilots"
    REPORT_GROWTH = "report_growth"
    MANAGE_GROWTH_REPORTS = "manage_growth_reports"
    KEEP_POLICY_LISTS = "keep_policy_lists"
    EVALUATE_PILOTS = "evaluate_pilots"
    # Tiers (创新型 → 专精特新 → 小巨人)
    READ_TIERS = "read_tiers"
    MANAGE_TIERS = "manage_tiers"
    # Key projects
    BROWSE_PROJECTS = "browse_projects"
    MANAGE_ANY_PROJECT = "manage_any_project"
    MANAGE_PROJECTS = "manage_projects"
    REPORT_PROJECTS = "report_projects"
    # Industry chains and matchmaking events
    BROWSE_CHAINS = "browse_chains"
    MANAGE_CHAINS = "manage_chains"
    EDIT_OWN_CHAINS = "edit_own_chains"
    MANAGE_EVENTS = "manage_events"
    ORGANISE_EVENTS = "organise_events"
    # Cultivation (pools, key lists, tier ladder)
    READ_CULTIVATION = "read_cultivation"
    MANAGE_CULTIVATION = "manage_cultivation"
    HELP_MEMBERS = "help_members"
    WORK_UPSCALE_LISTS = "work_upscale_lists"
    # Engagement (包联服务)
    FOLLOW_ENGAGEMENT = "follow_engagement"
    RECORD_VISITS = "record_visits"
    ASSIGN_TASKS = "assign_tasks"
    COORDINATE_ENGAGEMENT = "coordinate_engagement"
    REPORT_MAJOR_EVENTS = "report_major_events"
    RUN_PROGRAMMES = "run_programmes"
    APPLY_TO_PROGRAMMES = "apply_to_programmes"
    RECOMMEND_TO_PROGRAMMES = "recommend_to_programmes"
    # Monitoring
    READ_MONITORING = "read_monitoring"
    SET_ANY_TARGET = "set_any_target"
    SET_TOWN_TARGETS = "set_town_targets"
    HANDLE_WARNINGS = "handle_warnings"
    CONFIGURE_WARNINGS = "configure_warnings"
    # Assessment of departments and briefings
    RUN_ASSESSMENTS = "run_assessments"
    ANSWER_SURVEYS = "answer_surveys"
    READ_ALL_ASSESSMENTS = "read_all_assessments"
    READ_OWN_ASSESSMENT = "read_own_assessment"
    MAKE_BRIEFINGS = "make_briefings"
    READ_BRIEFINGS = "read_briefings"


C = Capability
_COORDINATING = frozenset({Role.COORDINATOR, Role.ADMIN})
_CITYWIDE = _COORDINATING | {Role.SYSTEM}
_STAFF = _CITYWIDE | {Role.HANDLER, Role.TOWN_OFFICER, Role.LEADER}
_EVERYONE_BUT_EXPERTS = _STAFF | {Role.ENTERPRISE}

# capability: (roles it is granted to, what it lets them do; "its" = an object-level rule applies)
GRANTS: dict[Capability, tuple[frozenset, str]] = {
    C.SEE_EVERYTHING: (_CITYWIDE, "see every enterprise, appeal, application and grant offer"),
    C.BROWSE_DIRECTORY: (_EVERYONE_BUT_EXPERTS, "open the enterprise list (scoped)"),
    C.BROWSE_APPEALS: (_EVERYONE_BUT_EXPERTS, "open the appeal list (scoped)"),
    C.OVERSEE_APPEALS: (
        _STAFF,
        "read the warning list, the coordination meeting list and the appeal KPIs (scoped)",
    ),
    C.READ_POLICY_FIGURES: (
        _STAFF,
        "read per-clause figures and where an enterprise in scope stands (我的政策 of others)",
    ),
    C.EDIT_DIRECTORY: (_COORDINATING, "edit enterprises; import enterprises and indicators"),
    C.RECORD_INDICATORS: (_CITYWIDE, "record indicator values (data feeds)"),
    C.VERIFY_INDICATORS: (_COORDINATING, "mark indicator values verified (a person; never a token)"),
    C.FEED_DATA: (
        frozenset({Role.SYSTEM}),
        "send data only as its token's feed (tax, statistics), never verified",
    ),
    C.EDIT_SETTINGS: (_COORDINATING, "edit the working-day calendar and deadline rules"),
    C.READ_AUDIT: (_COORDINATING, "export the audit trail by date range"),
    C.SUBMIT_OWN_APPEAL: (frozenset({Role.ENTERPRISE}), "submit appeals online for its own enterprise"),
    C.RECORD_APPEAL: (
        _STAFF - {Role.SYSTEM},
        "record appeals taken on visits or by phone for enterprises in scope",
    ),
    C.RECEIVE_HOTLINE_APPEAL: (frozenset({Role.SYSTEM}), "post appeals from the 12345 hotline"),
    C.IMPORT_APPEAL_LEDGER: (
        _CITYWIDE | {Role.TOWN_OFFICER, Role.HANDLER},
        "import a 销号台账 of appeals for enterprises in scope",
    ),
    C.COORDINATE_APPEALS: (
        _COORDINATING,
        "dispatch, transfer, escalate, decide, merge, instruct, follow up, attach files to any appeal",
    ),
    C.HANDLE_APPEALS: (
        frozenset({Role.HANDLER}),
        "accept, return, transfer, report progress, reply and attach files to its department's appeals",
    ),
    C.RATE_APPEALS: (
        frozenset({Role.ENTERPRISE}),
        "rate, withdraw and attach files to its enterprise's appeals",
    ),
    C.INSTRUCT_APPEALS: (
        frozenset({Role.LEADER}),
        "instruct (批示) on appeals of its liaison enterprises; the principal leader on every appeal",
    ),
    C.CONFIGURE_POLICIES: (_COORDINATING, "import policy packs and edit their clauses"),
    C.RUN_MATCHING: (_COORDINATING, "run matching and the 免申即享 offers"),
    C.REVIEW_ANY_APPLICATION: (_COORDINATING, "approve or reject any application"),
    C.REVIEW_APPLICATIONS: (
        frozenset({Role.HANDLER}),
        "approve or reject applications to its department's clauses",
    ),
    C.APPLY_FOR_POLICIES: (
        frozenset({Role.ENTERPRISE}),
        "apply for its enterprise, add files, withdraw, confirm its grant offers",
    ),
    C.DISBURSE_GRANTS: (_COORDINATING, "cancel grant offers, make, export and pay disbursement batches"),
    C.SCORE_APPLICATIONS: (frozenset({Role.EXPERT}), "score the program applications drawn for it"),
    C.FOLLOW_PILOTS: (
        _EVERYONE_BUT_EXPERTS,
        "read pilots' growth against their doubling path, reporting tasks, policy lists and evaluations (scoped)",
    ),
    C.REPORT_GROWTH: (frozenset({Role.ENTERPRISE}), "submit its pilot's half-yearly growth report"),
    C.MANAGE_GROWTH_REPORTS: (
        _COORDINATING,
        "issue the half-yearly reporting tasks to every pilot, remind, cancel; remind unregistered pilots",
    ),
    C.KEEP_POLICY_LISTS: (
        _COORDINATING | {Role.HANDLER},
        "keep the policy list of a pilot (a handler: of its department's pilots)",
    ),
    C.EVALUATE_PILOTS: (
        _COORDINATING,
        "run the annual evaluation, record assessments, the committee's proposal and the city "
        "government's approval",
    ),
    C.READ_TIERS: (_STAFF, "read tier recognitions, assessments and candidates (scoped)"),
    C.MANAGE_TIERS: (
        _COORDINATING,
        "record and revoke tier recognitions, import tier facts, run the yearly tier assessment",
    ),
    C.BROWSE_PROJECTS: (_EVERYONE_BUT_EXPERTS, "open the key project list (scoped)"),
    C.MANAGE_ANY_PROJECT: (_COORDINATING, "create, plan, advance, stop and resume any key project"),
    C.MANAGE_PROJECTS: (
        frozenset({Role.HANDLER, Role.TOWN_OFFICER}),
        "create, plan and advance key projects of its department or town",
    ),
    C.REPORT_PROJECTS: (
        frozenset({Role.ENTERPRISE, Role.LEADER}),
        "report monthly progress and raise problems on its enterprise's or its liaison projects",
    ),
    C.BROWSE_CHAINS: (_STAFF, "open industry chains, matchmaking events and their quotas (scoped)"),
    C.MANAGE_CHAINS: (_COORDINATING, "create chains, name their 链长, 链主 and 专班, edit any chain"),
    C.EDIT_OWN_CHAINS: (
        frozenset({Role.LEADER, Role.HANDLER}),
        "edit members, weak links and tasks of the chains it leads (链长) or its department's 专班 leads",
    ),
    C.MANAGE_EVENTS: (_COORDINATING, "record any matchmaking event and its outcomes; set yearly quotas"),
    C.ORGANISE_EVENTS: (
        frozenset({Role.HANDLER, Role.TOWN_OFFICER}),
        "record the matchmaking events its department or town organises, and their outcomes",
    ),
    C.READ_CULTIVATION: (
        _STAFF,
        "read the cultivation pools, the 小升规 lists, the key lists and the tier ladder (scoped)",
    ),
    C.MANAGE_CULTIVATION: (
        _COORDINATING,
        "set pool and tier targets; propose, admit, decline and remove pool members; assign helpers; "
        "propose, edit and publish the key lists",
    ),
    C.HELP_MEMBERS: (
        _STAFF - {Role.SYSTEM},
        "be a pool member's helper (服务专员) and record help given to members in scope",
    ),
    C.WORK_UPSCALE_LISTS: (
        _COORDINATING | {Role.TOWN_OFFICER, Role.HANDLER},
        "work the 小升规 lists (准规上, 拟入库, 易退库): their counts on its home page — the office's and its "
        "town's, or a helper's (服务专员) the members it helps",
    ),
    C.FOLLOW_ENGAGEMENT: (
        _STAFF - {Role.SYSTEM},
        "read liaisons, visits, cadence compliance, meetings, tracked tasks and major events (scoped); "
        "close out (销号) the tasks it or its department owns; follow its enterprises' major events",
    ),
    C.RECORD_VISITS: (
        _STAFF - {Role.SYSTEM},
        "record visits and contacts (走访/联系) for enterprises in scope, with the problems found",
    ),
    C.ASSIGN_TASKS: (
        _COORDINATING | {Role.TOWN_OFFICER, Role.LEADER},
        "create tracked tasks (督办事项) and cancel those it created",
    ),
    C.COORDINATE_ENGAGEMENT: (
        _COORDINATING,
        "assign, end and hand over liaisons; decide tier proposals; record meetings; "
        "close or cancel any tracked task and major event",
    ),
    C.REPORT_MAJOR_EVENTS: (
        frozenset({Role.ENTERPRISE}),
        "report a major event (重大事项) of its own enterprise",
    ),
    C.RUN_PROGRAMMES: (
        _COORDINATING,
        "set up programmes and rounds, run the formal check and cross-check, draw experts, propose, "
        "assign departments, run the public notice and publish pilots",
    ),
    C.APPLY_TO_PROGRAMMES: (
        frozenset({Role.ENTERPRISE}),
        "apply to a programme for its enterprise, add files, withdraw before review",
    ),
    C.RECOMMEND_TO_PROGRAMMES: (
        frozenset({Role.TOWN_OFFICER, Role.HANDLER}),
        "recommend an enterprise in scope to a programme round (二(四)2)",
    ),
    C.READ_MONITORING: (_STAFF, "read targets, the cockpit and the warnings centre (scoped)"),
    C.SET_ANY_TARGET: (_COORDINATING, "set and break down the targets of the city and of any town"),
    C.SET_TOWN_TARGETS: (frozenset({Role.TOWN_OFFICER}), "set and break down its town's targets"),
    C.HANDLE_WARNINGS: (
        _STAFF - {Role.SYSTEM},
        "acknowledge and handle warnings: its department's, its town's, those naming it",
    ),
    C.CONFIGURE_WARNINGS: (
        _COORDINATING,
        "edit the kinds of warning (thresholds, who is told) and handle any warning",
    ),
    C.RUN_ASSESSMENTS: (
        _COORDINATING,
        "edit the questionnaire, run survey campaigns, set weights, compute and publish assessments",
    ),
    C.ANSWER_SURVEYS: (frozenset({Role.ENTERPRISE}), "answer the survey campaigns its enterprise is asked"),
    C.READ_ALL_ASSESSMENTS: (
        _CITYWIDE | {Role.LEADER},
        "read every department's survey scores (never who answered) and the assessments",
    ),
    C.READ_OWN_ASSESSMENT: (
        frozenset({Role.HANDLER, Role.TOWN_OFFICER}),
        "read its department's (or its town's) survey scores and the published assessments",
    ),
    C.MAKE_BRIEFINGS: (_COORDINATING, "generate briefings (通报), edit their templates, send them"),
    C.READ_BRIEFINGS: (_STAFF, "read and download briefings"),
}

FORBIDDEN = _("You may not do this.")


def has(user, capability: Capability) -> bool:
    """Whether the user's role holds the capability. None (the platform itself: CLI, sweeps) holds none."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    return getattr(user, "role", None) in GRANTS[capability][0]


def require(user, capability: Capability, message=None) -> None:
    """Raises the platform's 403 unless the user holds the capability."""
    if not has(user, capability):
        raise Forbidden("forbidden", message or FORBIDDEN)


def capabilities_of(user) -> frozenset[Capability]:
    return frozenset(c for c in Capability if has(user, c))


def roles_with(capability: Capability) -> frozenset:
    return GRANTS[capability][0]


# ---------------------------------------------------------------------------------------------
# Object-level rules


class Rule:
    """May `user` act on `obj`? A predicate with a readable description; rules combine with `|`.

    A transition table holds one Rule per action (viewflow's `Transition(permission=…)`): the service
    calls `rule.require(user, obj)` and the page offers the action when `rule(user, obj)` holds."""

    def __init__(self, test: Callable[..., bool], describe: str):
        self.test = test
        self.describe = describe

    def __call__(self, user, obj=None) -> bool:
        return user is not None and bool(self.test(user, obj))

    def __or__(self, other: "Rule") -> "Rule":
        return Rule(lambda u, o: self(u, o) or other(u, o), f"{self.describe}, or {other.describe}")

    def require(self, user, obj=None, message=None) -> None:
        if not self(user, obj):
            raise Forbidden("forbidden", message or FORBIDDEN)

    def __repr__(self) -> str:
        return f"Rule({self.describe})"


def anyone_with(capability: Capability) -> Rule:
    return Rule(lambda u, o: has(u, capability), capability.value)


def own_enterprise(capability: Capability, enterprise_id=attrgetter("enterprise_id")) -> Rule:
    """The capability, on an object of the user's own enterprise."""
    return Rule(
        lambda u, o: (
            has(u, capability) and u.enterprise_id is not None and u.enterprise_id == enterprise_id(o)
        ),
        f"{capability.value} (its own enterprise)",
    )


def own_department(capability: Capability, department_id=attrgetter("department_id")) -> Rule:
    """The capability, on an object that is with the user's department."""
    return Rule(
        lambda u, o: (
            has(u, capability) and u.department_id is not None and u.department_id == department_id(o)
        ),
        f"{capability.value} (its department)",
    )


def liaison_of(capability: Capability, enterprise_id=attrgetter("enterprise_id")) -> Rule:
    """The capability, on an object of an enterprise the user is liaison (挂点) for."""
    return Rule(
        lambda u, o: (
            has(u, capability) and u.liaisons.active().filter(enterprise_id=enterprise_id(o)).exists()
        ),
        f"{capability.value} (its liaison enterprises)",
    )


def is_principal_leader(user) -> bool:
    """The city's principal leader (市主要领导, `ZHUQI_PRINCIPAL_LEADER`): a leader named in the
    configuration, not a role. Seed 000 三(四), 四(五)6: told of every appeal, it follows every one
    (sees every appeal and the enterprises they concern) and may add instructions (批示) on any."""
    name = settings.ZHUQI_PRINCIPAL_LEADER
    return bool(name) and has(user, Capability.INSTRUCT_APPEALS) and user.get_username() == name


def principal_leader(capability: Capability) -> Rule:
    """The capability, held by the configured principal leader, on any object."""
    return Rule(
        lambda u, o: has(u, capability) and is_principal_leader(u),
        f"{capability.value} (the principal leader, on any)",
    )


def submitter(submitted_by_id=attrgetter("submitted_by_id")) -> Rule:
    """Whoever submitted the object (staff who recorded an appeal for an enterprise)."""
    return Rule(lambda u, o: u.pk is not None and u.pk == submitted_by_id(o), "whoever submitted it")


NOBODY = Rule(lambda u, o: False, "the platform only (sweeps, never a user)")


# ---------------------------------------------------------------------------------------------
# Documentation


def markdown_table() -> str:
    """The README's table of capabilities: name, roles, what it allows."""
    order = list(Role)
    lines = ["| capability | roles | allows |", "|---|---|---|"]
    for capability, (roles, allows) in GRANTS.items():
        names = ", ".join(r.value for r in order if r in roles)
        lines.append(f"| `{capability.value}` | {names} | {allows} |")
    return "\n".join(lines)
