from django.core.management.base import BaseCommand

from communities.demo import DEMO_LOGINS, load_demo_master_data


class Command(BaseCommand):
    help = "Load the demo data (a utility, two communities, tariffs, logins). Safe to run twice."

    def handle(self, *args, **options):
        counts = load_demo_master_data()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded: {communities} communities, {participants} participants, "
                "{metering_points} metering points.".format(**counts)
            )
        )
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"  login {username} / {password}  ({role})")
