from payments.admin import bank  # noqa: F401  (bank files, credits, open items)
