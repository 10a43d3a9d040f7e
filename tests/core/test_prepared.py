"""The hot path's statements compiled once (core.prepared): each prepared query gives exactly what its
queryset gives, for any values; inserts and updates write what the ORM would."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhuqi.accounts import services as account_services
from zhuqi.accounts.models import hash_token
from zhuqi.appeals import services as appeal_services
from zhuqi.appeals.models import Appeal, AppealEvent, State
from zhuqi.core import prepared
from zhuqi.core.errors import NotFound
from zhuqi.core.models import OutboxMessage
from zhuqi.core.scopes import HOTLINE
from zhuqi.directory import selectors as directory
from zhuqi.directory.models import Enterprise, ServiceCategory

pytestmark = pytest.mark.django_db


def fields(obj, *names):
    return {name: getattr(obj, name) for name in names}


def test_the_token_lookup_gives_its_querysets_token_user_and_counter(world, django_assert_num_queries):
    tokens = [
        account_services.api_token_create(user=world.users["system"], name=f"t{i}", scopes=HOTLINE)
        for i in range(3)
    ]
    lookup = account_services._TOKEN_BY_HASH
    for token, raw in tokens:
        with django_assert_num_queries(1):
            found = lookup.first(hash_token(raw))
            assert found.user.username == "hotline"  # loaded with the token: no second query
        expected = next(iter(lookup.queryset(hash_token(raw))))
        assert found.pk == token.pk == expected.pk
        assert fields(found, "name", "prefix", "scopes", "expires_at", "created_at") == fields(
            expected, "name", "prefix", "scopes", "expires_at", "created_at"
        )
        assert found.reference_version == expected.reference_version
        assert fields(found.user, "pk", "role", "is_active") == fields(
            expected.user, "pk", "role", "is_active"
        )
    assert lookup.first(hash_token("zq_nobody")) is None


def test_the_candidates_are_the_querysets_rows_for_each_enterprise(world):
    for enterprise in (world.a, world.b):
        for i in range(4):
            _appeal(
                world,
                number=f"SQ{enterprise.pk}{i:03d}",
                enterprise=enterprise,
                title=f"标题{i}",
                state=State.CLOSED if i == 1 else State.SUBMITTED,
                created_at=timezone.now() + timedelta(minutes=i),
            ).save()
    for enterprise in (world.a, world.b):
        rows = appeal_services._CANDIDATES(enterprise.pk)
        assert rows == list(appeal_services._CANDIDATES.queryset(enterprise.pk))
        assert [r[2] for r in rows] == ["标题3", "标题2", "标题0"]  # open ones, newest first
        assert {r[4] for r in rows} == {enterprise.pk}


def test_the_enterprise_by_code_keeps_every_scope(world):
    code = world.b.uscc
    assert directory.enterprise_get(world.users["coordinator"], code.lower()) == world.b
    assert directory.enterprise_get(world.users["city_handler"], code).town.name == "虎门镇"
    with pytest.raises(NotFound):  # 长安镇's officer and handler do not see 虎门镇's enterprise
        directory.enterprise_get(world.users["town_a"], code)
    with pytest.raises(NotFound):
        directory.enterprise_get(world.users["town_handler"], code)
    assert directory.enterprise_get(world.users["town_a"], world.a.uscc) == world.a


def test_a_value_that_is_not_one_parameter_is_refused_when_prepared(world):
    contains = prepared.PreparedQuery(lambda q: Enterprise.objects.filter(name__icontains=q), str)
    with pytest.raises(ValueError, match="one parameter"):
        contains("电子")  # the value reaches the SQL as %电子%, not as itself
    as_dicts = prepared.PreparedQuery(lambda pk: Enterprise.objects.filter(pk=pk).values("name"), int)
    with pytest.raises(TypeError):
        as_dicts(world.a.pk)
    prefetching = prepared.PreparedQuery(
        lambda pk: Enterprise.objects.filter(pk=pk).prefetch_related("tags"), int
    )
    with pytest.raises(TypeError, match="prefetch_related"):
        prefetching(world.a.pk)


def test_an_int_value_may_filter_a_small_integer_field(world):
    small = prepared.PreparedQuery(lambda n: OutboxMessage.objects.filter(attempts=n).values_list("key"), int)
    OutboxMessage.objects.create(key="k", channel="c", subject="s", body="b", next_attempt_at=timezone.now())
    assert small(0) == [("k",)] and small(3) == []


def test_insert_writes_what_the_orm_writes_and_sets_keys(world):
    appeal = _appeal(world, number="SQ-prepared")
    events = [AppealEvent(appeal=appeal, action="submit", data={"channel": "热线"}) for _ in range(2)]
    prepared.insert([appeal])
    prepared.insert(events)  # made before the appeal had a key: the key is taken now, as bulk_create does
    assert appeal.pk and Appeal.objects.get(pk=appeal.pk).number == "SQ-prepared"
    stored = list(AppealEvent.objects.filter(appeal=appeal).order_by("id"))
    assert [e.pk for e in stored] == [e.pk for e in events]
    assert stored[0].data == {"channel": "热线"} and stored[0].created_at is not None  # JSON; auto_now_add
    assert {e.appeal_id for e in events} == {appeal.pk}


def test_insert_can_skip_a_row_whose_key_exists(world):
    def message(body):
        return OutboxMessage(
            key="event-1:fanout",
            channel="fanout",
            subject="新诉求",
            body=body,
            next_attempt_at=timezone.now(),
        )

    prepared.insert([message("第一次")], ignore_conflicts=True)
    prepared.insert([message("第二次")], ignore_conflicts=True)
    assert list(OutboxMessage.objects.values_list("body", flat=True)) == ["第一次"]
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert([message("第三次")])
    with pytest.raises(TypeError, match="expression"):
        prepared.insert([OutboxMessage(key="k", channel="c", subject="s", body=F("subject"))])


def test_update_writes_only_the_fields_named(world):
    appeal = _appeal(world, number="SQ-old", title="旧标题")
    appeal.save()
    appeal.number, appeal.title = "SQ-new", "新标题"
    prepared.update(appeal, ["number"])
    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.number, stored.title) == ("SQ-new", "旧标题")


def _appeal(world, **fields) -> Appeal:
    """An unsaved appeal of enterprise A by the coordinator, `fields` changed."""
    category = ServiceCategory.objects.get_or_create(code="financing", defaults={"name": "融资"})[0]
    defaults = {
        "enterprise": world.a,
        "title": "标题",
        "description": "说明",
        "category": category,
        "submitted_by": world.users["coordinator"],
        "created_at": timezone.now(),
    }
    return Appeal(**(defaults | fields))
