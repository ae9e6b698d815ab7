from payments.models.reminders import Reminder, ReminderRun, ReminderRunStatus

__all__ = ["Reminder", "ReminderRun", "ReminderRunStatus"]
