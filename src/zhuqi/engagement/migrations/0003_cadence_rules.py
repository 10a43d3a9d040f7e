"""The cadence rules of the seeds, as data (README, "Engagement"): seed 000 四(五)4 — a liaison leader
visits each pilot at least once a quarter; seed 004 二 — 周联系、月走访 (contact every week, visit
every month)."""

from datetime import date

from django.db import migrations

RULES = [
    {
        "code": "quarterly-visit",
        "name": "挂点领导每季度走访",
        "period": "quarter",
        "kinds": ["onsite"],
        "remind_days": 14,
        "source": "东府〔2017〕 四(五)4：挂点领导每季度至少开展一次试点企业走访",
    },
    {
        "code": "weekly-contact",
        "name": "包联领导每周联系",
        "period": "week",
        "kinds": ["phone", "wechat", "onsite", "meeting"],
        "remind_days": 2,
        "source": "三河市双创双服 二、二是：包联市领导和责任单位每周联系分包企业",
    },
    {
        "code": "monthly-visit",
        "name": "包联领导每月入企走访",
        "period": "month",
        "kinds": ["onsite"],
        "remind_days": 5,
        "source": "三河市双创双服 二、二是：每月入企实地调研",
    },
]


def add(apps, schema_editor):
    CadenceRule = apps.get_model("engagement", "CadenceRule")
    for rule in RULES:
        CadenceRule.objects.update_or_create(code=rule["code"], defaults=rule | {"valid_from": date(2017, 1, 1)})


def remove(apps, schema_editor):
    apps.get_model("engagement", "CadenceRule").objects.filter(code__in=[r["code"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("engagement", "0002_visits_meetings_events")]
    operations = [migrations.RunPython(add, remove)]
