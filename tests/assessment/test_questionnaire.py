"""The questionnaire ships seed 004's shape and the city edits it as data."""

import pytest

from zhuqi.assessment import questionnaire
from zhuqi.assessment.models import Aspect, Item
from zhuqi.core.errors import ZhuqiError

pytestmark = pytest.mark.django_db


def test_shipped_questionnaire_has_seed_004s_eight_aspects_and_39_items():
    # Seed 004 二、三是: 「对政策落实、项目落地、企业运营、窗口服务等8方面39项内容进行测评」.
    q = questionnaire.install_shipped()
    aspects = list(q.aspects.all())
    assert len(aspects) == 8
    assert questionnaire.active_items(q).count() == 39
    seed = [a.name for a in aspects if a.text_source == "seed"]
    assert seed == ["政策落实", "项目落地", "企业运营", "窗口服务"]
    assert all(a.text_source == "ours" for a in aspects if a.name not in seed)
    # The seed gives no item's words: every item is ours, and says so.
    assert set(Item.objects.values_list("text_source", flat=True)) == {"ours"}


def test_reimporting_an_edited_file_updates_texts_and_retires_removed_items():
    q = questionnaire.install_shipped()
    document = q.document.replace("部门主动向企业宣传解读惠企政策", "部门主动上门解读惠企政策")
    document = document.replace("      - {code: window.waiting, source: ours, text: 排队等候时间短}\n", "")
    q = questionnaire.questionnaire_import(document=document, acting_user=None)
    assert Item.objects.get(code="policy.known").text == "部门主动上门解读惠企政策"
    assert Item.objects.get(code="window.waiting").retired
    assert questionnaire.active_items(q).count() == 38
    assert q.version == 2


@pytest.mark.parametrize(
    "document",
    [
        "code: x\ntitle: y\naspects: []\n",
        "[unclosed",
        "code: x\ntitle: y\naspects:\n  - {code: a, name: b, source: seed, items: [{code: i, text: t, source: nobody}]}\n",
    ],
)
def test_a_bad_document_is_refused_and_changes_nothing(document):
    with pytest.raises(ZhuqiError) as refused:
        questionnaire.questionnaire_import(document=document, acting_user=None)
    assert refused.value.status == 422
    assert not Aspect.objects.exists()


def test_only_the_office_imports(world):
    with pytest.raises(ZhuqiError) as refused:
        questionnaire.questionnaire_import(
            document=(questionnaire.SHIPPED / "sanhe-8x39.yaml").read_text(),
            acting_user=world.users["city_handler"],
        )
    assert refused.value.status == 403
