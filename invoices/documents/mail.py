"""E-mailing a document: one message, a PDF attached, through an SMTP server (issue 25).

The server is named on the command line; credentials come from the environment only
(PRICING_SMTP_USER, PRICING_SMTP_PASSWORD), never from an argument that `ps` would show. STARTTLS
is used whenever the server offers it, and required before a password is sent. The message's
Message-ID is made here, so the outbox records the identity the recipient's system sees.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pricing.errors import PricingError

USER_ENV, PASSWORD_ENV = "PRICING_SMTP_USER", "PRICING_SMTP_PASSWORD"
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def address(text: str, what: str) -> str:
    """An e-mail address as one `local@domain.tld`, or PricingError naming `what` it is."""
    if not _ADDRESS.fullmatch(text or ""):
        raise PricingError(f"{what}: {text!r} is not an e-mail address (local@domain)")
    return text


def server(text: str) -> tuple[str, int]:
    """HOST:PORT of the SMTP server."""
    host, _, port = text.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise PricingError(f"--smtp {text!r}: expected HOST:PORT, e.g. smtp.example.com:587")
    return host, int(port)


@dataclass(frozen=True)
class Mail:
    """One message to send: to, sender, subject, body, and its attachment (file name, bytes)."""

    to: str
    sender: str
    subject: str
    body: str
    filename: str
    pdf: bytes


def send(mail: Mail, smtp: tuple[str, int], timeout: float = 30) -> str:
    """Send `mail`; return its Message-ID. Raises OSError/smtplib errors as the server gives
    them (the caller records the failure)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mail.sender, mail.to, mail.subject
    message["Date"] = formatdate(localtime=False)
    message_id = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message["Message-ID"] = message_id
    message.set_content(mail.body)
    message.add_attachment(mail.pdf, maintype="application", subtype="pdf",
                           filename=mail.filename)
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    with smtplib.SMTP(*smtp, timeout=timeout) as connection:
        connection.ehlo()
        if connection.has_extn("starttls"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        elif user:
            raise PricingError(f"{smtp[0]} does not offer STARTTLS: the password in "
                               f"{PASSWORD_ENV} is not sent over a plain connection")
        if user:
            connection.login(user, password or "")
        connection.send_message(message)
    return message_id
