"""Cached choice labels say exactly what Django's get_<field>_display says, in every language, for every choice."""

import pytest
from django.utils import translation

from billing.models import BillingRun, Invoice, StatementLine
from communities.models import Community, Participant
from documents.models import Document
from metering.models import MeterImport
from openleg.choice_labels import ChoiceLabelsMixin

MODELS = [BillingRun, StatementLine, Invoice, Participant, Community, MeterImport, Document]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("language", ["de-ch", "en"])
def test_every_choice_label_is_djangos(model, language):
    fields = [field for field in model._meta.get_fields() if getattr(field, "choices", None)]
    assert issubclass(model, ChoiceLabelsMixin) and fields
    with translation.override(language):
        for field in fields:
            for value, _label in [*field.flatchoices, ("unbekannt", None)]:
                instance = model(**{field.attname: value})
                cached = getattr(instance, f"get_{field.name}_display")()
                assert cached == str(super(ChoiceLabelsMixin, instance)._get_FIELD_display(field)), (field, value)


def test_the_participant_role_reads_in_german():
    assert Participant(role="prosumer").get_role_display() == "Prosumer"
    assert Participant(role="consumer").get_role_display() == "Verbraucher"
