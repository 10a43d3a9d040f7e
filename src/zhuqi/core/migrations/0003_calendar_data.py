from django.db import migrations


def load(apps, schema_editor):
    from zhuqi.core.calendar_cn import days

    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, kind, name in days():
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendar_day")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
