import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuqi.directory.models import Enterprise, ImportBatch

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {
        "uscc": "91440300708461136T",
        "name": "东莞市表单测试有限公司",
        "town": "",
        "industry_code": "C38",
        "ownership": "private",
        "listing": "none",
        "size": "small",
        "doubling_class": "",
        "tags": "专精特新, 瞪羚企业",
        **overrides,
    }


def test_form_creates_an_enterprise(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("directory:enterprise_new"), form_data(town=world.towns[0].pk))
    assert response.status_code == 302
    created = Enterprise.objects.get(uscc="91440300708461136T")
    assert set(created.tags.values_list("name", flat=True)) == {"专精特新", "瞪羚企业"}


def test_form_refuses_a_changed_character_with_a_clear_message(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("directory:enterprise_new"), form_data(uscc="91440300708461136X", town=world.towns[0].pk)
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "校验码错误" in page and "应为 T" in page
    assert not Enterprise.objects.filter(name="东莞市表单测试有限公司").exists()


def test_form_refuses_a_duplicate_code(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("directory:enterprise_new"), form_data(uscc=world.a.uscc, town=world.towns[0].pk)
    )
    assert response.status_code == 422 and "已存在" in response.content.decode()


def test_edit_keeps_the_code(client, world):
    client.force_login(world.users["coordinator"])
    data = form_data(uscc="914403001922038216", name="改名后", town=world.towns[1].pk)
    response = client.post(reverse("directory:enterprise_edit", args=[world.a.uscc]), data)
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.name == "改名后" and world.a.town == world.towns[1]
    assert not Enterprise.objects.filter(uscc="914403001922038216").exists()


def test_non_editors_cannot_reach_the_form_or_import(client, world):
    client.force_login(world.users["town_a"])
    assert client.get(reverse("directory:enterprise_new")).status_code == 404
    # A town officer imports appeal ledgers, never the directory itself.
    upload = client.post(
        reverse("directory:import_upload"),
        {"kind": "enterprises", "file": SimpleUploadedFile("e.csv", "统一社会信用代码\n".encode())},
    )
    assert upload.status_code == 422 and not ImportBatch.objects.exists()
    client.force_login(world.users["enterprise_a"])
    assert client.get(reverse("directory:import_upload")).status_code == 404


def test_list_search_filters_and_htmx_partial(client, world):
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("directory:enterprise_list"), {"q": world.b.uscc}).content.decode()
    assert world.b.name in page and world.a.name not in page
    partial = client.get(reverse("directory:enterprise_list"), {"town": "changan"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert world.a.name in body and world.b.name not in body and "<html" not in body


def test_import_page_flow(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.directory.test_importers import MIXED, xlsx

    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("directory:import_upload"),
        {"kind": "enterprises", "file": SimpleUploadedFile("企业.xlsx", xlsx(MIXED))},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    report = client.get(reverse("directory:import_detail", args=[batch.pk])).content.decode()
    assert "逐行校验报告" in report and "校验码错误" in report and "仅导入 1 条有效行" in report
    client.post(reverse("directory:import_decide", args=[batch.pk]), {"action": "apply_valid"})
    batch.refresh_from_db()
    assert batch.status == "applied" and Enterprise.objects.filter(uscc="914403001922038216").exists()


def test_enterprise_page_shows_profile_contacts_and_series(client, world):
    from tests.factories import ContactFactory, IndicatorValueFactory

    ContactFactory(enterprise=world.a, name="陈联络", is_primary=True)
    IndicatorValueFactory(enterprise=world.a, year=2024, value=100_000_000)
    IndicatorValueFactory(enterprise=world.a, year=2025, value=125_000_000)
    client.force_login(world.users["enterprise_a"])
    page = client.get(reverse("directory:enterprise_detail", args=[world.a.uscc])).content.decode()
    assert "陈联络" in page and "12,500.0" in page and "+25.0%" in page and "chart-indicators" in page
