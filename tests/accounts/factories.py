import factory

from accounts.models import User
from tests.pipeline.factories import UtilityFactory


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    is_superuser = True
    password = factory.django.Password("secret-pass-123")


class UtilityUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"vnb{n}")
    is_staff = False
    utility = factory.SubFactory(UtilityFactory)
    password = factory.django.Password("secret-pass-123")
