"""core.http.form_post: the one way a page answers a POST — parse, call the service, then either a
flashed success and a redirect, or the refusal on the form's field, beside the form, or flashed."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.http import form_post


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def post(data=None):
    request = RequestFactory().post("/x/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def flashed(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def refuse(**kwargs):
    def call(*_):
        raise ZhuqiError("bad", "不行。", status=422, **kwargs)

    return call


def test_success_flashes_and_goes_where_the_result_says():
    request = post()
    response = form_post(
        request, lambda: 7, success=lambda n: f"第{n}号已保存。", then=lambda n: f"/items/{n}/"
    )
    assert (response.status_code, response["Location"]) == (302, "/items/7/")
    assert flashed(request) == [("success", "第7号已保存。")]


def test_no_success_message_flashes_nothing():
    request = post()
    assert form_post(request, lambda: None, then="/back/")["Location"] == "/back/"
    assert flashed(request) == []


def test_a_refusal_without_a_page_is_flashed_and_goes_back():
    request = post()
    response = form_post(request, refuse(), success="好", then=lambda n: "/never/", back="/list/")
    assert response["Location"] == "/list/"
    assert flashed(request) == [("error", "不行。")]
    request = post()
    assert form_post(request, refuse(), then="/list/")["Location"] == "/list/"


def test_the_refusal_lands_on_the_field_it_names_or_above_the_form():
    for field, where in (("name", "name"), ("elsewhere", "__all__"), (None, "__all__")):
        form = NameForm({"name": "甲"})
        seen = []
        response = form_post(
            post(),
            refuse(field=field),
            form=form,
            then="/ok/",
            refused=lambda exc, seen=seen: seen.append(exc.code) or HttpResponse(status=422),
        )
        assert response.status_code == 422 and seen == ["bad"]
        assert form.errors[where] == ["不行。"], field


def test_an_invalid_form_never_calls_the_service():
    calls = []
    form = NameForm({"name": ""})
    response = form_post(
        post(),
        lambda data: calls.append(data),
        form=form,
        then="/ok/",
        refused=lambda exc: HttpResponse(repr(exc), status=422),
    )
    assert (response.status_code, response.content, calls) == (422, b"None", [])


def test_the_service_gets_the_cleaned_data():
    response = form_post(
        post(), lambda data: data["name"], form=NameForm({"name": " b "}), then=lambda n: f"/{n}/"
    )
    assert response["Location"] == "/b/"  # stripped by the form


def test_a_forbidden_refusal_can_hide_as_not_found():
    def forbidden():
        raise Forbidden("forbidden", "无权。")

    with pytest.raises(Http404):
        form_post(post(), forbidden, then="/ok/", hide_forbidden=True)
    request = post()
    assert form_post(request, forbidden, then="/ok/")["Location"] == "/ok/"
    assert flashed(request) == [("error", "无权。")]
