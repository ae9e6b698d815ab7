from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: bank files and payouts follow in their own migrations."""

    initial = True
    dependencies = [("billing", "0004_money_loop")]
    operations = []
