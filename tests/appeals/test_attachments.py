"""Attachments on appeals: stored with the submission, added later by either side, read only by
those who may see the appeal, refused by type, size and state without writing anything."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.appeals.test_lifecycle import submit
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal
from zhuqi.core.errors import Conflict, ZhuqiError
from zhuqi.core.models import Attachment, OutboxMessage

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name="贴息申请表.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def test_the_submission_page_stores_the_file_with_the_appeal(client, loop, media):
    w = loop
    client.force_login(w.users["enterprise_a"])
    response = client.post(
        "/appeals/new/",
        {
            "title": "贴息未到账",
            "description": "见附件。",
            "category": w.cats.loan.pk,
            "urgency": "ordinary",
            "channel": "web",
            "within_policy": "on",
            "attachment": upload(),
        },
    )
    assert response.status_code == 302, response.content
    appeal = Appeal.objects.get()
    stored = Attachment.objects.get(object_type="appeal", object_id=str(appeal.pk))
    assert stored.filename == "贴息申请表.pdf" and stored.size == len(PDF)
    assert (media / stored.file.name).read_bytes() == PDF
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert "贴息申请表.pdf" in page
    download = client.get(f"/appeals/{appeal.number}/attachments/{stored.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_handler_adds_a_file_through_the_api_the_enterprise_is_told_and_reads_it(client, loop):
    w = loop
    appeal = submit(w)
    client.force_login(w.users["city_handler"])
    added = client.post(f"/api/v1/appeals/{appeal.number}/attachments", {"file": upload("答复函.pdf")})
    assert added.status_code == 201, added.content
    file_id = added.json()["id"]
    event = appeal.events.get(action="attach")
    assert event.comment == "答复函.pdf" and event.actor == w.users["city_handler"]
    assert OutboxMessage.objects.filter(
        key__startswith=f"appeal-event-{event.pk}:", recipient=w.users["enterprise_a"]
    ).exists()
    client.force_login(w.users["enterprise_a"])
    listed = client.get(f"/api/v1/appeals/{appeal.number}/attachments").json()
    assert [f["filename"] for f in listed] == ["答复函.pdf"]
    got = client.get(f"/api/v1/appeals/{appeal.number}/attachments/{file_id}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # The same bytes again: recognised, not stored twice, no second trail entry.
    again = client.post(f"/api/v1/appeals/{appeal.number}/attachments", {"file": upload("答复函-副本.pdf")})
    assert again.status_code == 201 and again.json()["id"] == file_id
    assert appeal.events.filter(action="attach").count() == 1


@pytest.mark.parametrize("who", ["enterprise_b", "town_handler"])
def test_others_cannot_list_read_or_add_files(client, loop, who):
    w = loop
    appeal = submit(w)
    services.appeal_attach(appeal=appeal, acting_user=w.users["enterprise_a"], upload=upload())
    file_id = Attachment.objects.get().pk
    client.force_login(w.users[who])
    assert client.get(f"/api/v1/appeals/{appeal.number}/attachments").status_code == 404
    assert client.get(f"/api/v1/appeals/{appeal.number}/attachments/{file_id}").status_code == 404
    assert client.get(f"/appeals/{appeal.number}/attachments/{file_id}/").status_code == 404
    refused = client.post(
        f"/api/v1/appeals/{appeal.number}/attachments", {"file": upload("x.pdf", b"%PDF other")}
    )
    assert refused.status_code == 404
    assert Attachment.objects.count() == 1


def test_a_file_of_another_appeal_is_not_reachable_through_this_one(client, loop):
    w = loop
    mine, other = submit(w), submit(w, title="另一件事：用工")
    services.appeal_attach(appeal=other, acting_user=w.users["enterprise_a"], upload=upload())
    client.force_login(w.users["enterprise_a"])
    file_id = Attachment.objects.get().pk
    assert client.get(f"/api/v1/appeals/{mine.number}/attachments/{file_id}").status_code == 404


def test_bad_type_too_large_and_closed_appeals_are_refused_and_nothing_is_written(
    client, loop, settings, media
):
    w = loop
    appeal = submit(w)
    client.force_login(w.users["enterprise_a"])
    bad = client.post(f"/api/v1/appeals/{appeal.number}/attachments", {"file": upload("病毒.exe", b"MZ")})
    assert bad.status_code == 415 and bad.json()["code"] == "attachment_type" and bad.json()["message_en"]
    settings.ZHUQI_ATTACHMENT_MAX_MB = 1
    big = client.post(
        f"/api/v1/appeals/{appeal.number}/attachments",
        {"file": upload("扫描件.pdf", b"0" * (1024 * 1024 + 1))},
    )
    assert big.status_code == 413 and "1 MB" in big.json()["message_en"]
    with pytest.raises(ZhuqiError):
        services.appeal_submit(
            enterprise=w.a,
            title="带附件",
            description="x",
            category=w.cats.loan,
            acting_user=w.users["enterprise_a"],
            attachments=[upload("宏.docm")],
        )
    assert Appeal.objects.count() == 1 and not Attachment.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))
    services.appeal_withdraw(appeal=appeal, acting_user=w.users["enterprise_a"], comment="已自行解决")
    with pytest.raises(Conflict):
        services.appeal_attach(appeal=appeal, acting_user=w.users["enterprise_a"], upload=upload())
    assert not Attachment.objects.exists()


def test_the_page_offers_the_upload_form_only_to_those_who_may_attach(client, loop):
    w = loop
    appeal = submit(w)
    form = f'action="/appeals/{appeal.number}/attach/"'
    client.force_login(w.users["enterprise_a"])
    assert form in client.get(f"/appeals/{appeal.number}/").content.decode()
    client.force_login(w.users["leader_a"])  # sees the appeal, instructs, does not attach
    page = client.get(f"/appeals/{appeal.number}/")
    assert page.status_code == 200 and form not in page.content.decode()
