"""Audit events as people read them: the action in words and its details as "label：value" in the
page's language, never `grant_offer_confirm {'bank': …}` (issue 13, item 4). Every verb written by
`audit.record` has a label here; a detail key without one is left out rather than shown raw."""

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from zhuqi.core import formats

VERBS = {
    "api_token_create": _("API token created"),
    "api_token_revoke": _("API token revoked"),
    "api_token_rotate": _("API token replaced"),
    "application_approve": _("Application approved"),
    "audit_export": _("Audit log exported"),
    "audit_purge": _("Old audit events deleted"),
    "application_attach": _("File added"),
    "application_reject": _("Application rejected"),
    "application_refuse_by_rule": _(
        "Application not granted by the platform's rule: the same project is funded (不重复资助)"
    ),
    "application_submit": _("Application submitted"),
    "application_withdraw": _("Application withdrawn"),
    "calendar_day_remove": _("Calendar day removed"),
    "calendar_day_set": _("Calendar day set"),
    "deadline_rule_remove": _("Deadline rule removed"),
    "deadline_rule_set": _("Deadline rule set"),
    "disbursement_batch_create": _("Disbursement batch made"),
    "disbursement_batch_paid": _("Disbursement batch paid"),
    "enterprise_create": _("Enterprise created"),
    "enterprise_update": _("Enterprise updated"),
    "grant_offer_cancel": _("Grant cancelled"),
    "grant_offer_confirm": _("Receiving account confirmed"),
    "grant_offer_create": _("Grant offered (免申即享)"),
    "import_apply": _("Import applied"),
    "job_enqueue": _("Background job queued"),
    "key_list_add": _("Added to the key list"),
    "key_list_propose": _("Key list proposed by the rule"),
    "key_list_publish": _("Key list published"),
    "key_list_remove": _("Removed from the key list"),
    "key_list_rule_edit": _("Key list rule edited"),
    "ladder_target_set": _("Tier target set"),
    "pool_help_record": _("Help recorded"),
    "pool_member_admit": _("Admitted to the pool"),
    "pool_member_assign": _("Department and helper assigned"),
    "pool_member_decline": _("Proposal declined"),
    "pool_member_exit": _("Left the pool"),
    "pool_propose": _("Pool candidates proposed by the rules"),
    "pool_target_set": _("Pool target set"),
    "upscale_refresh": _("小升规 lists refreshed"),
    "import_check": _("Import checked"),
    "import_discard": _("Import discarded"),
    "indicator_values_upsert": _("Indicator values recorded"),
    "policy_clause_update": _("Clause edited"),
    "policy_match_run": _("Policies matched"),
    "tier_assessment_run": _("Tiers assessed"),
    "tier_fact_upsert": _("Tier facts recorded"),
    "tier_recognition_record": _("Tier recognition recorded"),
    "tier_recognition_revoke": _("Tier recognition revoked"),
    "chain_candidate_add": _("Candidate enterprise added"),
    "chain_create": _("Industry chain created"),
    "chain_gap_add": _("Weak link added"),
    "chain_gap_fill": _("Weak link filled"),
    "chain_member_remove": _("Chain member removed"),
    "chain_member_set": _("Chain member set"),
    "chain_task_add": _("Chain task added"),
    "chain_update": _("Industry chain edited"),
    "chain_plan_attach": _("Chain plan file added"),
    "event_cancel": _("Matchmaking event cancelled"),
    "event_create": _("Matchmaking event recorded"),
    "event_follow_up": _("Event outcome followed up"),
    "event_hold": _("Matchmaking event held"),
    "event_outcome_add": _("Event outcome recorded"),
    "event_quota_set": _("Event quota set"),
    "project_advance": _("Project reached its next stage"),
    "project_create": _("Key project created"),
    "project_edit": _("Key project edited"),
    "project_plan": _("Project plan set"),
    "project_problem": _("Problem raised on the project"),
    "project_report": _("Monthly progress reported"),
    "project_resume": _("Key project resumed"),
    "project_stop": _("Key project stopped"),
    "signin_locked": _("Sign-in locked after wrong passwords"),
    "evaluation_run": _("Annual evaluation proposed by the platform"),
    "evaluation_rerun": _("Annual evaluation run again"),
    "evaluation_amend": _("Annual evaluation amended"),
    "evaluation_propose": _("Selection committee's proposal recorded"),
    "evaluation_return": _("Evaluation sent back by the city government"),
    "evaluation_approve": _("City government's approval recorded and carried out"),
    "reporting_tasks_issue": _("Half-yearly reporting tasks issued"),
    "reporting_task_submit": _("Half-yearly report submitted"),
    "reporting_task_cancel": _("Reporting task cancelled"),
    "policy_list_add": _("Clause added to a pilot's policy list"),
    "policy_list_update": _("Pilot's policy list entry updated"),
    "pilot_registration_remind": _("Unregistered pilots reminded"),
    "target_set": _("Target set"),
    "warning_acknowledge": _("Warning acknowledged"),
    "warning_handle": _("Warning handled"),
    "warning_rule_set": _("Kind of warning changed"),
    "warnings_sweep": _("Warnings raised or resolved by the sweep"),
    "user_create": _("User created"),
    "task_create": _("Tracked task created"),
    "task_close": _("Tracked task closed out (销号)"),
    "task_cancel": _("Tracked task cancelled"),
    "task_reassign": _("Tracked task handed over"),
    "liaison_assign": _("Liaison assigned"),
    "liaison_end": _("Liaison ended"),
    "liaison_hand_over": _("Liaison handed over"),
    "liaison_retier": _("Liaison tier changed"),
    "liaison_tier_run": _("Liaison tiers checked by main revenue"),
    "tier_proposal_accept": _("Liaison proposal accepted"),
    "tier_proposal_reject": _("Liaison proposal rejected"),
    "programme_create": _("Programme set up"),
    "programme_round_open": _("Application round opened"),
    "programme_round_settings": _("Round settings changed"),
    "programme_round_close": _("Application round closed"),
    "programme_application_submit": _("Programme application submitted"),
    "programme_application_withdraw": _("Programme application withdrawn"),
    "programme_application_attach": _("File added to the programme application"),
    "programme_formal_check": _("Formal check run"),
    "programme_application_refuse": _("Programme application refused"),
    "programme_application_readmit": _("Programme application admitted to review"),
    "programme_cross_check": _("Cross-check run"),
    "programme_cross_check_settle": _("Cross-check difference settled"),
    "programme_expert_create": _("Expert added to the pool"),
    "programme_expert_update": _("Expert updated"),
    "programme_proposal_balance": _("Proposed as a pilot for the departments' balance"),
    "programme_conflict_declare": _("Conflict of interest declared by the expert"),
    "programme_conflict_withdraw": _("Conflict of interest withdrawn by the expert"),
    "programme_group_draw": _("Review group drawn"),
    "programme_score_submit": _("Score submitted"),
    "programme_shortlist": _("Site-check shortlist set"),
    "programme_proposal": _("Selection proposal made"),
    "programme_proposal_set": _("Selection proposal changed"),
    "programme_department_assign": _("Responsible department assigned"),
    "programme_notice_start": _("Public notice started"),
    "programme_objection_record": _("Objection recorded"),
    "programme_objection_decide": _("Objection decided"),
    "programme_publish": _("Pilot list published"),
    "programme_facts_record": _("Enterprise facts recorded"),
    "questionnaire_import": _("Questionnaire imported"),
    "survey_campaign_create": _("Survey campaign created"),
    "survey_campaign_open": _("Survey campaign opened"),
    "survey_campaign_remind": _("Survey reminders sent"),
    "survey_campaign_close": _("Survey campaign closed"),
    "survey_answer": _("Survey answered"),
    "survey_supervision_open": _("Supervision item opened"),
    "assessment_parameter_set": _("Assessment parameter set"),
    "assessment_compute": _("Assessment computed"),
    "assessment_publish": _("Assessment published"),
    "briefing_request": _("Briefing requested"),
    "briefing_generate": _("Briefing generated"),
    "briefing_send": _("Briefing sent"),
    "briefing_template_set": _("Briefing template edited"),
    "briefing_template_reset": _("Briefing template restored"),
    "visit_record": _("Visit recorded"),
    "meeting_record": _("Meeting recorded"),
    "major_event_report": _("Major event reported"),
    "major_event_acknowledge": _("Major event acknowledged"),
    "major_event_follow_up": _("Major event followed up"),
    "major_event_close": _("Major event closed out (销号)"),
}

# key: (label, how the value reads)
DETAILS = {
    "amount": (_("Amount"), "yuan"),
    "maximum": (_("Maximum by the rule"), "money"),
    "computed_max": (_("Maximum by the rule"), "money"),
    "total": (_("Total"), "yuan"),
    "year": (_("Year"), "year"),
    "reason": (_("Reason"), "text"),
    "comment": (_("Comment"), "text"),
    "file": (_("File"), "text"),
    "bank": (_("Bank"), "text"),
    "account": (_("Account"), "text"),
    "pay_due": (_("Payment due"), "day"),
    "offers": (_("Grants"), "number"),
    "on": (_("Date"), "day"),
    "appeal": (_("Appeal"), "text"),
    "target": (_("Target"), "number"),
    "enterprise": (_("Enterprise"), "text"),
    "helper": (_("Helper (服务专员)"), "text"),
    "department": (_("Department"), "text"),
    "day": (_("Date"), "day"),
    "entries": (_("Entries"), "number"),
    "title": (_("Title"), "text"),
    "due_on": (_("Due date"), "day"),
    "since": (_("Since"), "day"),
    "proposed": (_("Proposed"), "number"),
    "note": (_("Note"), "text"),
    "document": (_("Document"), "text"),
    "date": (_("Date"), "day"),
    "keep": (_("Kept"), "number"),
    "probation": (_("On probation"), "number"),
    "replace": (_("Replaced"), "number"),
    "doubled": (_("Doubled"), "number"),
    "tasks": (_("Tasks"), "number"),
    "notice_until": (_("Notice until"), "day"),
    "annual": (_("Annual target"), "text"),
    "version": (_("Version"), "number"),
    "balanced": (_("Places moved for the departments' balance"), "number"),
}


def _value(value, kind: str) -> str:
    if kind in ("yuan", "money"):
        return getattr(formats, kind)(value)
    if kind == "year":
        return formats.year(value)
    if kind == "day":
        try:  # a date, or a deadline kept as a moment (到账期限 2026-12-08T23:59:59+08:00)
            text = str(value)
            return formats.day(datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text))
        except ValueError:
            return str(value)
    if kind == "number":
        return formats.amount(value)
    return str(value)


def action(event) -> str:
    return str(VERBS.get(event.verb, event.verb))


def details(event) -> str:
    data = event.data if isinstance(event.data, dict) else {}
    parts = [
        f"{DETAILS[key][0]}：{_value(value, DETAILS[key][1])}"
        for key, value in data.items()
        if key in DETAILS and value not in (None, "")
    ]
    return "；".join(parts)
