from payments.models.bank import BankCredit, BankDebit, BankFile, BankFileStatus, CreditStatus, DebitStatus
from payments.models.payouts import Payout, PayoutBatch, PayoutBatchStatus
from payments.models.reminders import Reminder, ReminderRun, ReminderRunStatus

__all__ = [
    "BankCredit",
    "BankDebit",
    "BankFile",
    "BankFileStatus",
    "CreditStatus",
    "DebitStatus",
    "Payout",
    "PayoutBatch",
    "PayoutBatchStatus",
    "Reminder",
    "ReminderRun",
    "ReminderRunStatus",
]
