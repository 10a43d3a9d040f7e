"""Packs in the database: import, edit with the same validation, export, sync of clause rows."""

import pytest

from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.policies import packs
from zhuqi.policies.models import Clause, PolicyPack
from zhuqi.rules import packs as shipped
from zhuqi.rules.model import load_pack

SHIPPED_CLAUSES = sum(len(load_pack(path).clauses) for path in shipped.shipped())


def test_shipped_pack_is_installed_with_every_clause_and_its_department(policy_world):
    assert Clause.objects.filter(retired=False).count() == SHIPPED_CLAUSES
    consulting = policy_world.clause("DB-3-2")
    assert consulting.department == policy_world.city_dept  # 市工业和信息化局 → 东莞市工业和信息化局
    assert policy_world.clause("INNOV-RD").auto_grant
    assert policy_world.clause("DB-3-5").exclusive_group == "same-project"
    assert policy_world.clause("DB-3-18").department is None  # 人才办 is not on the platform: coordinator


def test_importing_the_same_file_again_changes_nothing(policy_world):
    text = shipped.shipped()[0].read_text(encoding="utf-8")
    row = packs.pack_import(text=text, acting_user=policy_world.users["coordinator"])
    assert row.version == 1
    # one import event per shipped pack (conftest installs them all), none for the same file again
    assert AuditEvent.objects.filter(verb__startswith="policy_pack").count() == len(shipped.shipped())


def test_a_bad_expression_is_refused_on_import_with_its_position(policy_world):
    text = (
        shipped.shipped()[0]
        .read_text(encoding="utf-8")
        .replace(
            "amount: min(project_total_investment * major_project.rate, major_project.cap)",
            "amount: min(project_total_investment * major_projct.rate, major_project.cap)",
        )
    )
    with pytest.raises(ZhuqiError) as exc:
        packs.pack_import(text=text, acting_user=policy_world.users["coordinator"])
    message = str(exc.value.message)
    assert exc.value.status == 422
    assert "clause DB-3-5 amount, line 1, column 32" in message
    assert "did you mean 'major_project.rate'" in message
    assert PolicyPack.objects.get(code="dongguan-doubling").version == 1


def test_a_bad_fact_source_is_refused(policy_world):
    text = (
        shipped.shipped()[0]
        .read_text(encoding="utf-8")
        .replace('from: "indicator:rd_expense_deductible@-1"', 'from: "indicator:rd_expenses@-1"')
    )
    with pytest.raises(ZhuqiError) as exc:
        packs.pack_import(text=text, acting_user=policy_world.users["coordinator"])
    assert "fact rd_expense_deductible_prev from" in str(exc.value.message)


def test_editing_a_clause_is_validated_versioned_audited_and_keeps_comments(policy_world):
    clause = policy_world.clause("DB-3-5")
    coordinator = policy_world.users["coordinator"]
    with pytest.raises(ZhuqiError) as exc:
        packs.clause_update(clause=clause, changes={"condition": "is_pilot and"}, acting_user=coordinator)
    assert "clause DB-3-5 condition, line 1, column 13" in str(exc.value.message)
    with pytest.raises(ZhuqiError) as exc:  # a change that breaks the pack's own scenario tests
        packs.clause_update(
            clause=clause, changes={"amount": "project_total_investment * 30%"}, acting_user=coordinator
        )
    assert exc.value.code == "scenario_failed"
    assert PolicyPack.objects.get(code="dongguan-doubling").version == 1

    updated = packs.clause_update(
        clause=clause,
        changes={"budget": "30000000", "title": "重大科技项目资助（修订）"},
        acting_user=coordinator,
    )
    row = PolicyPack.objects.get(code="dongguan-doubling")
    assert row.version == 2
    assert updated.budget == 30_000_000 and updated.title == "重大科技项目资助（修订）"
    assert "# 东莞 重点企业规模与效益倍增计划" in row.document  # the file's comments survive
    assert packs.compiled(row).clause("DB-3-5").budget == 30_000_000
    event = AuditEvent.objects.get(verb="policy_clause_update")
    assert event.data["after"]["budget"] == 30000000


def test_only_the_coordinating_office_edits(policy_world):
    with pytest.raises(Forbidden):
        packs.clause_update(
            clause=policy_world.clause("DB-3-5"),
            changes={"title": "x"},
            acting_user=policy_world.miit_handler,
        )


def test_a_clause_left_out_of_a_new_version_is_retired_not_deleted(policy_world):
    text = shipped.shipped()[0].read_text(encoding="utf-8")
    start = text.index("      - code: DB-3-18")
    end = text.index("  - code: DG-INNOVATIVE-RD")
    trimmed = text[:start] + text[end:]
    trimmed = "\n".join(line for line in trimmed.splitlines() if "clause: DB-3-18" not in line)
    packs.pack_import(text=trimmed, acting_user=policy_world.users["coordinator"])
    assert Clause.objects.get(code="DB-3-18").retired
    assert Clause.objects.filter(retired=False).count() == SHIPPED_CLAUSES - 1


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("coordinator", True),
        ("admin", True),
        ("city_handler", False),
        ("town_a", False),
        ("leader_a", False),
        ("expert", False),
        ("enterprise_a", False),
    ],
)
def test_only_those_who_configure_or_audit_policies_download_the_pack(client, policy_world, role, allowed):
    """A pack is the office's configuration: page link, page download and API download agree per role."""
    client.force_login(policy_world.users[role])
    catalogue = client.get("/policies/").content.decode()
    page = client.get("/policies/packs/dongguan-doubling.yaml")
    api = client.get("/api/v1/policy-packs/dongguan-doubling")
    assert ("/policies/packs/dongguan-doubling.yaml" in catalogue) is allowed
    assert page.status_code == (200 if allowed else 404)
    assert api.status_code == (200 if allowed else 403)
    if allowed:
        assert "东府办〔2017〕11号" in page.content.decode()
