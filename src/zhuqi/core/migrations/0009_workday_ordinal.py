from django.db import migrations, models


def fill(apps, schema_editor):
    from zhuqi.core import workdays

    workdays.rebuild_ordinals(apps.get_model("core", "WorkdayOrdinal"), apps.get_model("core", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("core", "0008_job")]

    operations = [
        migrations.CreateModel(
            name="WorkdayOrdinal",
            fields=[
                ("date", models.DateField(primary_key=True, serialize=False)),
                ("ordinal", models.IntegerField()),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
