import datetime

from django.db import migrations, models
from django.utils import timezone


def expire_existing(apps, schema_editor):
    # Tokens issued before scopes existed keep working for 30 days (for nothing scoped: they hold no
    # scope), time for the operator to issue scoped successors.
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + datetime.timedelta(days=30))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [
        migrations.AddField(model_name="apitoken", name="scopes", field=models.JSONField(blank=True, default=list)),
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
        migrations.AddField(model_name="apitoken", name="rotated_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="apitoken", name="last_used_from", field=models.GenericIPAddressField(blank=True, null=True)
        ),
        migrations.AddField(model_name="apitoken", name="use_count", field=models.PositiveBigIntegerField(default=0)),
    ]
