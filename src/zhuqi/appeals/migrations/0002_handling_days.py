from django.db import migrations, models


def fill(apps, schema_editor):
    """Stores the handling time of the appeals closed before the column existed, in one UPDATE."""
    from zhuqi.core.workdays import ordinal_of

    ordinals = apps.get_model("core", "WorkdayOrdinal")
    apps.get_model("appeals", "Appeal").objects.filter(state="closed", closed_at__isnull=False).update(
        handling_days=ordinal_of("closed_at", ordinals) - ordinal_of("created_at", ordinals)
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("core", "0009_workday_ordinal")]

    operations = [
        migrations.AddField(model_name="appeal", name="handling_days", field=models.IntegerField(blank=True, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
