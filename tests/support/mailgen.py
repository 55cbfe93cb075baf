"""Varied real email messages, made with the standard library's email package (not by hand).

Each function returns the message's bytes as a mail program would store them; ``varied()``
gives one of every kind ``logbook import`` must read.
"""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import datetime, timedelta, timezone
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

ME = "alex@example.org"
SHOP = "Kundenservice <support@shop.example>"
CET = timezone(timedelta(hours=1))


def png_bytes(seed: int = 0) -> bytes:
    """A valid 1x1 PNG (its colour from *seed*)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00" + bytes([seed % 256, 80, 160])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(text: str = "Invoice") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% {text}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _base(
    subject: str, when: datetime | None, sender: str = SHOP, to: str = ME, msgid: str | None = None, **headers: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if when is not None:
        msg["Date"] = format_datetime(when)
    if msgid:
        msg["Message-ID"] = f"<{msgid}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    return msg


def alternative(when: datetime) -> bytes:
    msg = _base("Your order GT-889123", when, msgid="alt-1@shop.example", Cc="Billing <billing@shop.example>")
    msg.set_content("Thank you for your order GT-889123.\nIt ships tomorrow.\n")
    msg.add_alternative("<html><body><p>Thank you for your order <b>GT-889123</b>.</p></body></html>", subtype="html")
    return msg.as_bytes()


def mixed_pdf_png(when: datetime) -> bytes:
    msg = _base(
        "Re: Your order GT-889123",
        when,
        sender=f"Alex Morgan <{ME}>",
        to=SHOP,
        msgid="mixed-2@example.org",
        In_Reply_To="<alt-1@shop.example>",
    )
    msg.set_content(
        "The parcel arrived damaged. Photo and invoice attached.\n\n"
        "On Mon, 9 Mar 2026 at 10:00, Kundenservice <support@shop.example> wrote:\n"
        "> Thank you for your order GT-889123.\n> It ships tomorrow.\n"
    )
    msg.add_attachment(pdf_bytes("invoice 1"), maintype="application", subtype="pdf", filename="invoice.pdf")
    msg.add_attachment(png_bytes(1), maintype="image", subtype="png", filename="damage.png")
    return msg.as_bytes()


def quoted_printable_latin1(when: datetime) -> bytes:
    """ISO-8859-1 subject (RFC 2047) and a quoted-printable Latin-1 body, built with the MIME classes."""
    msg = MIMEText("Grüße aus Köln: die Erstattung über 89,99 EUR ist veranlaßt.\n", "plain", "iso-8859-1")
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    msg["Subject"] = Header("Erstattung für Bestellung Rückgabe", "iso-8859-1").encode()
    msg["From"] = SHOP
    msg["To"] = ME
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = "<qp-3@shop.example>"
    return msg.as_bytes()


def shift_jis(when: datetime) -> bytes:
    """Shift_JIS subject, sender name and body (the email package would re-encode Shift_JIS as
    ISO-2022-JP, so the encoded words and the base64 body are made from the Shift_JIS bytes here)."""

    def word(text: str) -> str:
        return "=?shift_jis?b?" + base64.b64encode(text.encode("shift_jis")).decode() + "?="

    msg = MIMENonMultipart("text", "plain", charset="shift_jis")
    msg["Content-Transfer-Encoding"] = "base64"
    msg.set_payload(base64.encodebytes("ご注文の商品は発送されました。\n".encode("shift_jis")).decode())
    msg["Subject"] = word("ご注文の確認")
    msg["From"] = word("山田 太郎") + " <yamada@shop.example>"
    msg["To"] = ME
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = "<sjis-4@shop.example>"
    return msg.as_bytes()


def html_only(when: datetime) -> bytes:
    msg = _base("Refund approved", when, msgid="html-5@shop.example")
    msg.set_content(
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<h1>Refund approved</h1><p>We refunded <strong>89.99 EUR</strong> to your card.</p>"
        "<ul><li>Order GT-889123</li><li>RMA-5521</li></ul>"
        '<img src="https://tracker.example/pixel.gif"><a href="https://shop.example/help">Help</a>'
        "</body></html>",
        subtype="html",
    )
    return msg.as_bytes()


def forwarded(when: datetime, inner: bytes) -> bytes:
    msg = _base(
        "Fwd: Refund approved", when, sender=f"Alex Morgan <{ME}>", to="bank@card.example", msgid="fwd-6@example.org"
    )
    msg.set_content("Forwarding the shop's confirmation.\n")
    inner_msg = __import__("email").message_from_bytes(inner, policy=policy.default)
    msg.add_attachment(inner_msg)
    return msg.as_bytes()


def no_date(received: datetime) -> bytes:
    msg = _base("No date here", None, msgid="nodate-7@shop.example")
    msg["Received"] = f"from mx.shop.example by mx.example.org; {format_datetime(received)}"
    msg.set_content("This message has no Date header.\n")
    return msg.as_bytes()


def broken_date(received: datetime) -> bytes:
    msg = _base("Broken date", received, msgid="baddate-8@shop.example")
    msg["Received"] = f"from mx.shop.example by mx.example.org; {format_datetime(received)}"
    msg.set_content("This message has a Date header that is not a date.\n")
    raw = msg.as_bytes()  # the email package refuses to write a bad Date, so the header is replaced in the bytes
    return raw.replace(b"Date: " + format_datetime(received).encode(), b"Date: Tuesday, the 31st of Februaryish")


def non_ascii_names(when: datetime) -> bytes:
    msg = _base("Fotos der Schäden", when, msgid="names-9@shop.example")
    msg.set_content("See the photos.\n")
    msg.add_attachment(png_bytes(2), maintype="image", subtype="png", filename="Schäden – Küche 📷.png")
    msg.add_attachment(pdf_bytes("receipt"), maintype="application", subtype="pdf", filename="領収書.pdf")
    msg.add_attachment(b"not markdown", maintype="text", subtype="markdown", filename="../../notes.md")
    return msg.as_bytes()


def big_attachment(when: datetime, size: int = 15 * 1024 * 1024) -> bytes:
    msg = _base("Video of the defect", when, msgid="big-10@shop.example")
    msg.set_content("The video is attached.\n")
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    msg.add_attachment(data, maintype="video", subtype="mp4", filename="defect.mp4")
    return msg.as_bytes()


def mime_base64_legacy(when: datetime) -> bytes:
    """A multipart/mixed built with the legacy MIME classes: base64 text and a base64 PDF."""
    outer = MIMEMultipart("mixed")
    outer["Subject"] = "Credit note"
    outer["From"] = SHOP
    outer["To"] = ME
    outer["Date"] = format_datetime(when)
    outer["Message-ID"] = "<b64-11@shop.example>"
    body = MIMEText("Please find the credit note attached.", "plain", "utf-8")  # utf-8 MIMEText: base64
    outer.attach(body)
    outer.attach(MIMEApplication(pdf_bytes("credit note"), "pdf", Name="credit-note.pdf"))
    outer.get_payload()[1].add_header("Content-Disposition", "attachment", filename="credit-note.pdf")
    return outer.as_bytes()


def varied(start: datetime = datetime(2026, 3, 9, 10, 0, tzinfo=CET)) -> list[bytes]:
    """One message of every kind, a day apart, in time order."""
    day = timedelta(days=1)
    html = html_only(start + 4 * day)
    return [
        alternative(start),
        mixed_pdf_png(start + day),
        quoted_printable_latin1(start + 2 * day),
        shift_jis(start + 3 * day),
        html,
        forwarded(start + 5 * day, html),
        no_date(start + 6 * day),
        broken_date(start + 7 * day),
        non_ascii_names(start + 8 * day),
        big_attachment(start + 9 * day),
        mime_base64_legacy(start + 10 * day),
    ]


def mbox_bytes(messages: list[bytes]) -> bytes:
    """An mbox (mboxo: body lines starting "From " quoted) as mail programs write it."""
    out = []
    for raw in messages:
        lines = raw.replace(b"\r\n", b"\n").split(b"\n")
        escaped = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in lines)
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + escaped.rstrip(b"\n") + b"\n\n")
    return b"".join(out)
