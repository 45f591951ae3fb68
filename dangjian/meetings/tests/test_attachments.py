"""Photos and documents of a meeting: checked on the way in, a thumbnail for a photo, read only
through the scope."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.core.errors import DomainError
from dangjian.meetings import attachments
from dangjian.meetings.models import Attachment

from .conftest import D, record


def photo(size: tuple[int, int] = (1600, 1200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("会议照片.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_photo_gets_a_thumbnail_and_is_read_through_the_scope(world: Any) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    found = attachments.add_attachment(actor=world.branch_admin, meeting=meeting, upload=photo())
    with Image.open(found.thumbnail.open("rb")) as small:
        assert max(small.size) == 320
    client = world.client(world.branch_admin)
    assert client.get(f"/meetings/attachment/{found.pk}/thumbnail/")["Content-Type"] == "image/jpeg"
    assert world.client(world.other_admin).get(f"/meetings/attachment/{found.pk}/").status_code == 404
    assert "会议照片.jpg" in client.get(f"/meetings/{meeting.pk}/").content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.exe", b"MZ"), "格式不支持"),
        (SimpleUploadedFile("坏图.jpg", b"not a jpeg at all"), "已损坏或不是图片文件"),
        (None, "请选择要上传的文件"),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_kept(world: Any, upload: Any, message: str) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    with pytest.raises(DomainError, match=message):
        attachments.add_attachment(actor=world.branch_admin, meeting=meeting, upload=upload)
    assert not Attachment.objects.exists()


def test_an_image_of_too_many_pixels_is_refused(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    meeting = record(world, world.village, D(2026, 3, 10), "theme_day")
    monkeypatch.setattr(attachments, "MAX_PIXELS", 1_000_000)
    with pytest.raises(DomainError, match=r"像素过大（1600×1200）"):
        attachments.add_attachment(actor=world.branch_admin, meeting=meeting, upload=photo())
