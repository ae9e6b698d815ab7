"""E-mail: the only module that builds and sends mail, through Django's configured backend (``EMAIL_BACKEND``).

Plain data in, a message out: callers pass what to say and attach; this module knows addresses, headers and the
connection (Django's backends read ``EMAIL_TIMEOUT``), and is the one seam tests replace (Django's locmem backend,
or one that fails).
"""

from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

# What can pass: the server or the network, not the message. Everything else is a bug and is not retried.
TRANSIENT_ERRORS = (OSError, TimeoutError)  # smtplib.SMTPException is an OSError


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    sender_name: str
    reply_to: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def from_address(sender_name: str) -> str:
    """``"LEG Sonnenberg" <rechnungen@…>``: the community's name with the installation's sending address."""
    return formataddr((sender_name, settings.OPENLEG_INVOICE_FROM_EMAIL))


def build(mail: Mail) -> EmailMultiAlternatives:
    domain = settings.OPENLEG_INVOICE_FROM_EMAIL.rpartition("@")[2] or None
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=from_address(mail.sender_name),
        to=[mail.to],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers={"Message-ID": make_msgid(domain=domain)},
    )
    for attachment in mail.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def send(mail: Mail) -> str:
    """Send one message; returns its Message-ID. Raises what the backend raises (see ``TRANSIENT_ERRORS``)."""
    message = build(mail)
    get_connection(fail_silently=False).send_messages([message])
    return message.extra_headers["Message-ID"]
