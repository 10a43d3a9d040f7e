"""The coordinator imports the selection's enterprise facts (seed 000 二(三)2: environmental credit
rating, key energy user and its assessment) from the import page, not only from the CLI: the file is
checked row by row with the reasons in Chinese, nothing is written while a row is wrong, the good file
is applied by the worker, and the formal check then reads what was imported."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.job_helpers import job_from_redirect, run_worker_once
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import Job
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch
from zhuqi.programs import services
from zhuqi.programs.models import Application, EnterpriseFact

pytestmark = pytest.mark.django_db


def _csv(*rows: str) -> SimpleUploadedFile:
    text = "统一社会信用代码,事项,值,来源,日期\n" + "".join(f"{r}\n" for r in rows)
    return SimpleUploadedFile("事项.csv", text.encode())


def _upload(client, file) -> ImportBatch:
    answer = client.post(reverse("directory:import_upload"), {"kind": "programme_facts", "file": file})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return ImportBatch.objects.order_by("-pk").first()


def test_the_coordinator_imports_facts_from_the_page_and_the_formal_check_reads_them(client, sel, settings):
    w = sel
    application = w.apply(w.a)
    client.force_login(w.coordinator)
    form = client.get(reverse("directory:import_upload")).content.decode()
    assert 'value="programme_facts"' in form and "倍增遴选企业事项" in form
    bad = _upload(
        client,
        _csv(
            f"{w.a.uscc},环境信用评价等级,紫牌,市生态环境局,2016-12-31",
            "91441900XXXXXXXXXX,环境信用评价等级,黄牌,市生态环境局,2016-12-31",
            f"{w.a.uscc},排污许可,有,市生态环境局,2016-12-31",
            f"{w.a.uscc},重点用能单位,是,,2016-13-01",
        ),
    )
    page = client.get(reverse("directory:import_detail", args=[bad.pk])).content.decode()
    for reason in ("紫牌", "不是", "统一社会信用代码", "来源", "日期"):
        assert reason in page, reason
    assert {(e["row"], e["column"]) for e in bad.errors} >= {(2, "值"), (3, "统一社会信用代码"), (4, "事项")}
    assert 'value="apply_valid"' not in page  # applied whole or not at all
    for action in ("apply_all", "apply_valid"):
        refused = client.post(
            reverse("directory:import_decide", args=[bad.pk]), {"action": action}, follow=True
        )
        assert "此类文件只能整体导入" in refused.content.decode()
    assert not EnterpriseFact.objects.exists()  # a file with a wrong row writes nothing, not its good rows
    with pytest.raises(ZhuqiError) as whole:
        importers.import_apply(batch=bad, acting_user=w.coordinator, valid_only=True)
    assert whole.value.code == "import_whole_only" and not EnterpriseFact.objects.exists()

    settings.ZHUQI_IMPORT_JOB_ROWS = 0  # this file counts as large: the worker applies it
    good = _upload(client, _csv(f"{w.a.uscc},环境信用评价等级,黄牌,市生态环境局,2016-12-31"))
    assert good.errors == []
    job = job_from_redirect(
        client.post(reverse("directory:import_decide", args=[good.pk]), {"action": "apply_all"})
    )
    assert not EnterpriseFact.objects.exists()  # nothing before the worker runs it
    run_worker_once()
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE
    fact = EnterpriseFact.objects.get()
    assert (fact.enterprise, fact.key, fact.value, fact.source, fact.as_of) == (
        w.a,
        "env_credit",
        "黄牌",
        "市生态环境局",
        date(2016, 12, 31),
    )
    assert Job.objects.get(pk=job.pk).result["created"] == 1
    again = _upload(client, _csv(f"{w.a.uscc},环境信用评价等级,黄牌,市生态环境局,2016-12-31"))
    client.post(reverse("directory:import_decide", args=[again.pk]), {"action": "apply_all"})
    run_worker_once()
    again.refresh_from_db()
    assert (again.result["created"], again.result["unchanged"]) == (0, 1)  # the same file twice: no change
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    application.refresh_from_db()
    assert application.state == Application.State.CHECK_FAILED
    assert {f["clause"]: f for f in application.check_findings}["SEL-2-ENV"]["seen"] == {"env_credit": "黄牌"}


def test_only_those_who_edit_the_directory_may_import_facts(client, sel):
    client.force_login(sel.users["town_a"])
    client.post(
        reverse("directory:import_upload"),
        {"kind": "programme_facts", "file": _csv(f"{sel.a.uscc},重点用能单位,是,市发改局,2016-12-31")},
    )
    assert not ImportBatch.objects.exists() and not EnterpriseFact.objects.exists()
