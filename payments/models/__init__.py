from payments.models.bank import BankCredit, BankFile, BankFileStatus, CreditStatus
from payments.models.payouts import Payout, PayoutBatch, PayoutBatchStatus
from payments.models.reminders import Reminder, ReminderRun, ReminderRunStatus

__all__ = [
    "BankCredit",
    "BankFile",
    "BankFileStatus",
    "CreditStatus",
    "Payout",
    "PayoutBatch",
    "PayoutBatchStatus",
    "Reminder",
    "ReminderRun",
    "ReminderRunStatus",
]
