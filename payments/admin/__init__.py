from payments.admin import reminders  # noqa: F401  (registers the reminder console)
