"""Seed 000, 三(四): 「系统两次发还重办的问题」 go to the coordination meeting (一企一策). Two readings:
the second 不满意 is itself the second 发还重办 and escalates (the platform's, ZHUQI_APPEAL_REOPENINGS = 1),
or two reopenings are done and the third 不满意 escalates (2). Both are pinned here."""

from django.conf import settings
from django.test import override_settings

from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal, CoordinationItem, State


def _submitted(w):
    return services.appeal_submit(
        enterprise=w.a,
        title="贷款贴息迟迟未到账",
        description="2025年贷款贴息申请已三个月未拨付。",
        category=w.cats.loan,
        acting_user=w.users["enterprise_a"],
    ).appeal


def _replied(w, appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.state == State.DISPATCHED:
        services.appeal_accept(appeal=appeal, acting_user=w.users["city_handler"])
    return services.appeal_reply(
        appeal=Appeal.objects.get(pk=appeal.pk), acting_user=w.users["city_handler"], reply="已处理"
    )


def _unsatisfied(w, appeal):
    return services.appeal_rate(appeal=appeal, acting_user=w.users["enterprise_a"], rating="unsatisfied")


def test_the_platform_reads_the_second_unsatisfied_rating_as_the_second_reopening(loop):
    assert settings.ZHUQI_APPEAL_REOPENINGS == 1
    appeal = _unsatisfied(loop, _replied(loop, _submitted(loop)))
    assert appeal.state == State.DISPATCHED  # back to the department once
    appeal = _unsatisfied(loop, _replied(loop, appeal))
    assert appeal.state == State.ESCALATED and CoordinationItem.objects.filter(appeal=appeal).exists()


@override_settings(ZHUQI_APPEAL_REOPENINGS=2)
def test_the_other_reading_reopens_twice_and_escalates_on_the_third(loop):
    appeal = _unsatisfied(loop, _replied(loop, _submitted(loop)))
    assert appeal.state == State.DISPATCHED
    appeal = _unsatisfied(loop, _replied(loop, appeal))
    assert appeal.state == State.DISPATCHED and appeal.reopen_count == 2  # reopened a second time
    assert not CoordinationItem.objects.exists()
    appeal = _unsatisfied(loop, _replied(loop, appeal))
    assert appeal.state == State.ESCALATED and CoordinationItem.objects.filter(appeal=appeal).exists()
