"""Check-in by QR code (扫码签到): the meeting's page shows a code the server draws (reportlab's QR
encoder, already used for the transfer letter; no outside service), holding a link signed for
that meeting. A member who scans it, logged in and on the meeting's list, is marked present once,
within the meeting's time window. The link carries no right by itself: the list decides, so the
code may be photographed and passed around without harm."""

import datetime as dt

from django.core import signing
from django.urls import reverse
from reportlab.graphics.barcode import qrencoder

SALT = "meetings.check-in"
OPENS_BEFORE = dt.timedelta(minutes=30)  # members arrive early
CLOSES_AFTER = dt.timedelta(minutes=30)
LENGTH_IF_OPEN = dt.timedelta(hours=3)  # a meeting without an end time


def token(meeting_id: int) -> str:
    return signing.dumps(meeting_id, salt=SALT)


def meeting_of(value: str) -> int | None:
    """The meeting a token names, or None when it was not made here."""
    try:
        found = signing.loads(value[:200], salt=SALT)
    except signing.BadSignature:
        return None
    return found if isinstance(found, int) else None


def path(meeting_id: int) -> str:
    return reverse("meetings:check_in", args=[token(meeting_id)])


def window(held_on: dt.date, starts_at: dt.time, ends_at: dt.time | None) -> tuple[dt.datetime, dt.datetime]:
    """From half an hour before the start to half an hour after the end (3 hours if none given)."""
    start = dt.datetime.combine(held_on, starts_at)
    end = dt.datetime.combine(held_on, ends_at) if ends_at else start + LENGTH_IF_OPEN
    return start - OPENS_BEFORE, end + CLOSES_AFTER


def svg(text: str, size: int = 240) -> str:
    """The QR code of ``text`` as a small SVG: one path of the dark modules, a quiet zone of 4."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    cells = "".join(
        f"M{col + 4},{row + 4}h1v1h-1z" for row in range(count) for col in range(count) if code.isDark(row, col)
    )
    side = count + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{size}" height="{size}" '
        f'shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{cells}" fill="#000"/></svg>'
    )
