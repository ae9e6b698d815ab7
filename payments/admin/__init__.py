"""The payments console: one module per subject, registered when the admin autodiscovers ``payments.admin``."""

from payments.admin import payouts, reminders  # noqa: F401
