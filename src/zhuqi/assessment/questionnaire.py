"""The questionnaire as data: a YAML file of aspects and items (`questionnaires/*.yaml`) that the city
edits and imports again. Aspects and items are matched by code; texts are updated, new ones added,
and those no longer in the file retired (kept for the answers already given, never asked again)."""

from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.assessment.models import Aspect, Item, Questionnaire, TextSource
from zhuqi.core import audit, permissions
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability

SHIPPED = Path(__file__).parent / "questionnaires"
DEFAULT_CODE = "sanhe-8x39"
MAX_ASPECTS, MAX_ITEMS = 20, 200
MAX_DOCUMENT = 200_000


def _bad(message, **params) -> ZhuqiError:
    return ZhuqiError("bad_questionnaire", Message(message, params), status=422, field="document")


def _text(value, limit: int, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise _bad(_("%(where)s: a text of 1 to %(limit)d characters is needed."), where=where, limit=limit)
    return value.strip()


def parse(document: str) -> dict:
    """Checks a questionnaire document and returns it as plain data; 422 naming what is wrong."""
    if len(document) > MAX_DOCUMENT:
        raise _bad(_("The questionnaire is longer than %(n)d characters."), n=MAX_DOCUMENT)
    try:
        data = yaml.safe_load(document)
    except yaml.YAMLError as exc:
        raise _bad(_("The questionnaire is not valid YAML: %(error)s"), error=str(exc)[:200]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("aspects"), list) or not data["aspects"]:
        raise _bad(_("The questionnaire needs a code, a title and a list of aspects."))
    result = {
        "code": _text(data.get("code"), 64, "code"),
        "title": _text(data.get("title"), 200, "title"),
        "source": _text(data.get("source") or "—", 300, "source"),
        "aspects": [],
    }
    if len(data["aspects"]) > MAX_ASPECTS:
        raise _bad(_("A questionnaire has at most %(n)d aspects."), n=MAX_ASPECTS)
    aspect_codes, item_codes, count = set(), set(), 0
    for a in data["aspects"]:
        if not isinstance(a, dict) or not isinstance(a.get("items"), list) or not a["items"]:
            raise _bad(_("Every aspect needs a code, a name and a list of items."))
        code = _text(a.get("code"), 64, "aspect code")
        if code in aspect_codes:
            raise _bad(_("Aspect code %(code)s appears twice."), code=code)
        aspect_codes.add(code)
        aspect = {
            "code": code,
            "name": _text(a.get("name"), 100, code),
            "source": _source(a.get("source"), code),
            "items": [],
        }
        for i in a["items"]:
            if not isinstance(i, dict):
                raise _bad(_("Every item needs a code and a text."))
            item_code = _text(i.get("code"), 64, "item code")
            if item_code in item_codes:
                raise _bad(_("Item code %(code)s appears twice."), code=item_code)
            item_codes.add(item_code)
            aspect["items"].append(
                {
                    "code": item_code,
                    "text": _text(i.get("text"), 300, item_code),
                    "source": _source(i.get("source"), item_code),
                }
            )
            count += 1
        result["aspects"].append(aspect)
    if count > MAX_ITEMS:
        raise _bad(_("A questionnaire has at most %(n)d items."), n=MAX_ITEMS)
    return result


def _source(value, where: str) -> str:
    if value not in TextSource.values:
        raise _bad(_("%(where)s: the source is seed or ours."), where=where)
    return value


@transaction.atomic
def questionnaire_import(*, document: str, acting_user) -> Questionnaire:
    """Imports (or re-imports) a questionnaire document; audited."""
    if acting_user is not None:
        permissions.require(acting_user, Capability.RUN_ASSESSMENTS)
    data = parse(document)
    questionnaire, created = Questionnaire.objects.get_or_create(
        code=data["code"], defaults={"title": data["title"], "source": data["source"], "document": document}
    )
    if not created:
        questionnaire.title, questionnaire.source = data["title"], data["source"]
        questionnaire.version += 1 if questionnaire.document != document else 0
        questionnaire.document = document
        questionnaire.save()
    kept_aspects, kept_items = [], []
    for sort, a in enumerate(data["aspects"]):
        aspect, _new = Aspect.objects.update_or_create(
            questionnaire=questionnaire,
            code=a["code"],
            defaults={"name": a["name"], "text_source": a["source"], "sort": sort, "retired": False},
        )
        kept_aspects.append(aspect.pk)
        for item_sort, i in enumerate(a["items"]):
            item, _new = Item.objects.update_or_create(
                aspect=aspect,
                code=i["code"],
                defaults={"text": i["text"], "text_source": i["source"], "sort": item_sort, "retired": False},
            )
            kept_items.append(item.pk)
    Aspect.objects.filter(questionnaire=questionnaire).exclude(pk__in=kept_aspects).update(retired=True)
    Item.objects.filter(aspect__questionnaire=questionnaire).exclude(pk__in=kept_items).update(retired=True)
    audit.record(
        actor=acting_user,
        verb="questionnaire_import",
        obj=questionnaire,
        data={"code": questionnaire.code, "version": questionnaire.version, "items": len(kept_items)},
    )
    return questionnaire


def install_shipped(code: str = DEFAULT_CODE) -> Questionnaire:
    """The shipped questionnaire (seed 004's 8 aspects and 39 items), by the platform itself."""
    return questionnaire_import(document=(SHIPPED / f"{code}.yaml").read_text("utf-8"), acting_user=None)


def current() -> Questionnaire | None:
    return Questionnaire.objects.filter(code=DEFAULT_CODE).first() or Questionnaire.objects.first()


def active_items(questionnaire: Questionnaire):
    return Item.objects.filter(aspect__questionnaire=questionnaire, retired=False, aspect__retired=False)
