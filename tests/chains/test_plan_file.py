"""A chain's plan (链长制工作方案) carries files: added by whoever may edit the plan, bounded by type,
content, size and number as every attachment, audited, read by whoever may open the chain."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuqi.chains import services
from zhuqi.core.models import Attachment, AuditEvent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% plan\n"


def pdf(name="链长制工作方案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload(client, chain, file):
    return client.post(reverse("chains:chain_action", args=[chain.code, "plan_file"]), {"file": file})


def test_the_chain_leader_adds_the_plan_file_and_the_chain_page_offers_it(client, world, chain):
    client.force_login(world.users["leader_a"])  # the 链长
    assert upload(client, chain, pdf()).status_code == 302
    (stored,) = services.plan_files(chain)
    assert stored.filename == "链长制工作方案.pdf"
    assert AuditEvent.objects.filter(verb="chain_plan_attach", object_id=str(chain.pk)).count() == 1
    assert upload(client, chain, pdf()).status_code == 302  # the same file again: kept once
    assert len(services.plan_files(chain)) == 1
    link = reverse("chains:plan_file", args=[chain.code, stored.pk])
    client.force_login(world.users["city_handler"])  # the 专班's department: may open the chain
    page = client.get(reverse("chains:chain_detail", args=[chain.code])).content.decode()
    assert link in page and 'enctype="multipart/form-data"' in page
    answer = client.get(link)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PDF
    client.force_login(world.users["town_handler"])  # the chain is outside its scope
    assert client.get(link).status_code == 404
    other = services.chain_create(
        acting_user=world.users["coordinator"], code="tea2", name="速食调味料", source="s"
    )
    client.force_login(world.users["coordinator"])  # a file is read only through its own chain
    assert client.get(reverse("chains:plan_file", args=[other.code, stored.pk])).status_code == 404


def test_files_are_bounded_as_every_attachment(client, world, chain, settings):
    client.force_login(world.users["coordinator"])
    refused = upload(client, chain, SimpleUploadedFile("方案.exe", b"MZ\x90\x00"))
    assert refused.status_code == 415
    disguised = upload(client, chain, pdf("方案.pdf", b"MZ\x90\x00 not a pdf"))
    assert disguised.status_code == 415
    settings.ZHUQI_ATTACHMENT_MAX_MB = 1
    large = upload(client, chain, pdf("大方案.pdf", PDF + b"0" * (1024 * 1024)))
    assert large.status_code == 413
    assert upload(client, chain, SimpleUploadedFile("空.pdf", b"")).status_code == 422
    assert not Attachment.objects.filter(object_type="chain_plan").exists()
    settings.ZHUQI_ATTACHMENTS_PER_OBJECT = 1
    assert upload(client, chain, pdf()).status_code == 302
    assert upload(client, chain, pdf("第二版.pdf", PDF + b"v2")).status_code == 422
    assert Attachment.objects.filter(object_type="chain_plan").count() == 1
    assert client.post(reverse("chains:chain_action", args=[chain.code, "plan_file"])).status_code == 422


def test_only_those_who_edit_the_plan_add_files(client, world, chain):
    from tests.chains.conftest import add_members

    add_members(world, chain, 1)  # a member in 长安镇: its town officer may open the chain
    client.force_login(world.users["town_a"])
    assert client.get(reverse("chains:chain_detail", args=[chain.code])).status_code == 200
    assert upload(client, chain, pdf()).status_code == 404  # not its chain to edit
    assert not Attachment.objects.filter(object_type="chain_plan").exists()
