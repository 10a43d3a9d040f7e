from django.db import migrations, models
from django.db.models import F


def fill(apps, schema_editor):
    """The moment each appeal is next swept, as Appeal.save sets it (models.first_sweep_at)."""
    Appeal = apps.get_model("appeals", "Appeal")
    Appeal.objects.filter(
        state__in=["dispatched", "accepted", "escalated"], department__isnull=False, resolve_due__isnull=False
    ).update(sweep_at=F("resolve_due"))
    Appeal.objects.filter(state="replied", replied_at__isnull=False).update(sweep_at=F("replied_at"))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_handling_days")]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="sweep_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
