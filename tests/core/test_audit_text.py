"""Audit lines in words (issue 13, item 4): every verb the code records has a label, details read as
"label：value" with money, years and dates in the page's formats."""

import re
from pathlib import Path

from django.utils import translation

import zhuqi
from zhuqi.core import audit_text
from zhuqi.core.models import AuditEvent


def test_every_recorded_verb_has_a_label():
    source = Path(zhuqi.__file__).parent
    verbs = {v for f in source.rglob("*.py") for v in re.findall(r'verb="([a-z_]+)"', f.read_text())}
    assert verbs and verbs <= set(audit_text.VERBS), sorted(verbs - set(audit_text.VERBS))


def test_an_offer_confirmation_reads_as_a_sentence():
    event = AuditEvent(
        verb="grant_offer_confirm",
        data={"bank": "中国工商银行东莞分行", "account": "****2233", "pay_due": "2026-11-27", "internal": 1},
    )
    assert audit_text.action(event) == "确认收款账户"
    assert (
        audit_text.details(event)
        == "开户银行：中国工商银行东莞分行；账号：****2233；到账期限：2026年11月27日"
    )
    approved = AuditEvent(verb="application_approve", data={"amount": "800000", "maximum": "800000.00"})
    assert audit_text.details(approved) == "金额：800,000.00元；按规则最高金额：80万元"
    with translation.override("en"):
        assert audit_text.action(event) == "Receiving account confirmed"
