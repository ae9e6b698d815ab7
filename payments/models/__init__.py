from payments.models.payouts import Payout, PayoutBatch, PayoutBatchStatus
from payments.models.reminders import Reminder, ReminderRun, ReminderRunStatus

__all__ = ["Payout", "PayoutBatch", "PayoutBatchStatus", "Reminder", "ReminderRun", "ReminderRunStatus"]
