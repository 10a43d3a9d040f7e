"""One error type for refusals a user can act on, carried to pages and the API alike.

Messages are lazy translations written in English with the Chinese in the zh_Hans catalogue; the API
returns both so that a system client logs the Chinese text operators read and the English text
integrators read.
"""

from django.utils import translation


class Message:
    """A translatable message and its parameters, rendered in the language active when shown.

    `_("...") % {...}` would render at once in the current language; the API needs both.
    """

    def __init__(self, template, params: dict | None = None):
        self.template = template
        self.params = params or {}

    def __str__(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


class ZhuqiError(Exception):
    status = 400

    def __init__(self, code: str, message, *, status: int | None = None, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(ZhuqiError):
    status = 404


class Forbidden(ZhuqiError):
    status = 403


class Conflict(ZhuqiError):
    status = 409


def bilingual(message) -> dict[str, str]:
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return {"message": zh, "message_en": en}


def error_body(code: str, message, **extra) -> dict:
    return {"code": code, **bilingual(message), **extra}
