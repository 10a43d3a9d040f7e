from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhuqi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from zhuqi.accounts import throttle  # noqa: F401  (connects the sign-in signal receivers)
