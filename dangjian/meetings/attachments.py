"""Photos and documents of a meeting: checked on the way in (type, size, an image that opens and is
not a decompression bomb), a JPEG thumbnail for each photo, served only through the scope."""

import io
import os
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from dangjian.core import scope
from dangjian.core.errors import DomainError
from dangjian.core.history import service

from .models import Attachment, Meeting

IMAGE_TYPES = {".jpg", ".jpeg", ".png"}
DOCUMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx"}
MAX_BYTES = 20 * 2**20
MAX_PIXELS = 50_000_000  # a phone photo has 12–50 million; more is not a photo of a meeting
THUMBNAIL = (320, 320)
PER_MEETING = 30


def _thumbnail(upload: Any, name: str) -> ContentFile[bytes]:
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise DomainError({"upload": f"图片“{name}”像素过大（{width}×{height}），请压缩后上传"})
            probe.verify()  # a truncated or forged file fails here
        upload.seek(0)
        with Image.open(upload) as image:
            image.draft("RGB", THUMBNAIL)  # JPEG: decode at a fraction of the size
            small = image.convert("RGB")
            small.thumbnail(THUMBNAIL)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError({"upload": f"图片“{name}”已损坏或不是图片文件"}) from None
    upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{os.path.splitext(name)[0][:80]}.jpg")


@service
def add_attachment(*, actor: Any, meeting: Meeting, upload: Any) -> Attachment:
    """上传会议照片或材料."""
    scope.require_role(actor, lambda role: role.writes_members, "上传会议材料")
    meeting = scope.get_scoped_or_404(actor, Meeting.objects.select_for_update(), to_write=True, pk=meeting.pk)
    if upload is None:
        raise DomainError({"upload": "请选择要上传的文件"})
    name = os.path.basename(str(getattr(upload, "name", "") or "材料"))[:200]
    extension = os.path.splitext(name)[1].lower()
    if extension not in IMAGE_TYPES | DOCUMENT_TYPES:
        allowed = "、".join(sorted(IMAGE_TYPES | DOCUMENT_TYPES))
        raise DomainError({"upload": f"文件“{name}”的格式不支持，请上传{allowed}文件"})
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise DomainError({"upload": f"文件“{name}”超过{MAX_BYTES // 2**20}MB"})
    if meeting.attachments.count() >= PER_MEETING:
        raise DomainError({"upload": f"每次会议最多上传{PER_MEETING}个附件"})
    is_image = extension in IMAGE_TYPES
    thumbnail = _thumbnail(upload, name) if is_image else None
    attachment = Attachment(meeting=meeting, file=upload, file_name=name, is_image=is_image, uploaded_by=actor)
    if thumbnail is not None:
        attachment.thumbnail.save(thumbnail.name or "thumb.jpg", thumbnail, save=False)
    attachment.save()
    return attachment
