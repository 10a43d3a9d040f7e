"""Schemas shared by every app's API."""

from datetime import datetime

from ninja import Schema


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
