"""The payments console: one module per subject, registered when the admin autodiscovers ``payments.admin``."""

from payments.admin import bank, payouts, reminders  # noqa: F401  (bank files, credits, open items; payouts; reminders)
