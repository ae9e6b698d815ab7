from django.db import migrations

from openleg.same_utility import AddSameUtilityRule


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_money_loop")]

    operations = [AddSameUtilityRule()]
