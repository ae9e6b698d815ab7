import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.pipeline.factories import UtilityFactory

pytestmark = pytest.mark.django_db


def test_utility_user_and_staff_are_exclusive():
    utility = UtilityFactory()
    User.objects.create_user("vnb", password="x", utility=utility)
    User.objects.create_superuser("boss", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("both", password="x", utility=utility, is_staff=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("nobody", password="x")
