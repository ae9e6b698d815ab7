from django.db import migrations

from openleg.no_overlap import AddNoOverlap


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [
        AddNoOverlap(table="communities_membership", name="membership_no_overlap", group="metering_point_id",
                     start="valid_from", end="valid_to"),
        AddNoOverlap(table="communities_tariff", name="tariff_no_overlap", group="community_id",
                     start="valid_from", end="valid_to"),
    ]
