from payments.models.bank import BankCredit, BankFile, BankFileStatus, CreditStatus

__all__: list[str] = ["BankCredit", "BankFile", "BankFileStatus", "CreditStatus"]
