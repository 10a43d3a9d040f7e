"""The dated parameters in force from the start: the resolution target of seed 002, the aspect floor
and the default weights (the office changes them with `zhuqi assessment parameter` or the API)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

VALUES = [
    # 温县「万人助万企」方案 一、总体要求 ——强化问题导向: 「实现企业问题动态解决率保持在 97%以上」 (seed 002).
    ("resolution_target", "0.97", date(2023, 1, 1), "seed 002 一、总体要求（强化问题导向）：企业问题动态解决率保持在97%以上"),
    ("aspect_floor", "60", date(2023, 1, 1), "platform default: an aspect under 60 of 100 opens a supervision item"),
    # Seed 002 三(三): 「提高企业满意率、营商环境评价满意率等指标所占比重」: survey and satisfaction 60%.
    ("weight_survey", "40", date(2023, 1, 1), "seed 002 三(三)：提高营商环境评价满意率所占比重"),
    ("weight_satisfaction", "20", date(2023, 1, 1), "seed 002 三(三)：提高企业满意率所占比重"),
    ("weight_resolution", "20", date(2023, 1, 1), "platform default"),
    ("weight_on_time", "10", date(2023, 1, 1), "platform default"),
    ("weight_reopen", "10", date(2023, 1, 1), "platform default"),
]


def load(apps, schema_editor):
    Parameter = apps.get_model("assessment", "Parameter")
    for key, value, valid_from, source in VALUES:
        Parameter.objects.get_or_create(
            key=key, valid_from=valid_from, defaults={"value": Decimal(value), "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
