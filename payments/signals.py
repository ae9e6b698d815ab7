"""What payments tells the documents app (reminder PDFs and their dispatch) without importing it."""

from django.dispatch import Signal

# reminder_run: the ReminderRun just approved, inside its transaction (receivers use transaction.on_commit)
reminders_approved = Signal()
