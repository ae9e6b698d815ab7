from payments.models.payouts import Payout, PayoutBatch, PayoutBatchStatus

__all__: list[str] = ["Payout", "PayoutBatch", "PayoutBatchStatus"]
