"""German outreach texts built only from what the database holds.

``outreach_facts`` collects the facts a text may cite (a figure that is not recorded is left out, never
guessed); ``outreach_render`` lays them out with a template under ``templates/pipeline/outreach/``.
The draft keeps exactly these facts, so a reviewer can see what every sentence rests on.
"""

from datetime import date
from decimal import Decimal

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openleg.errors import DomainError
from openleg.formats import swiss_number
from pipeline.models import OutreachTemplate, Utility

LEG_POSSIBLE_SINCE = date(2026, 1, 1)
LEG_LEGAL_BASIS = "StromVG Art. 17d/17e"
OUTREACH_TEMPLATES = tuple(OutreachTemplate.values)
# A mail names the largest municipalities; a utility with dozens gets the count of the others.
MAX_MUNICIPALITIES_NAMED = 10


class OutreachRefused(DomainError):
    code = "outreach_refused"


def outreach_facts(utility: Utility) -> dict:
    """The recorded facts about ``utility`` a text may use, as JSON-ready values."""
    municipalities = list(utility.municipalities.order_by(F("population").desc(nulls_last=True), "name"))
    named = municipalities[:MAX_MUNICIPALITIES_NAMED]
    facts = {
        "utility": utility.name,
        "municipalities": [_municipality_facts(municipality) for municipality in named],
        "municipalities_not_named": len(municipalities) - len(named),
        "leg_possible_since": LEG_POSSIBLE_SINCE.isoformat(),
        "leg_legal_basis": LEG_LEGAL_BASIS,
    }
    sender = utility.owner.get_full_name().strip() if utility.owner else ""
    if sender:
        facts["sender"] = sender
    return facts


def _municipality_facts(municipality) -> dict:
    facts = {"name": municipality.name}
    for name in ("population", "roof_potential_mwh", "installed_pv_kwp"):
        value = getattr(municipality, name)
        if value is not None:
            facts[name] = value if isinstance(value, int) else str(value)
    return facts


def outreach_render(template: str, facts: dict) -> tuple[str, str]:
    """Subject and body of ``template`` filled with ``facts``."""
    if template not in OUTREACH_TEMPLATES:
        raise OutreachRefused(_("Die Vorlage «%(template)s» gibt es nicht.") % {"template": template}, field="template")
    with translation.override("de-ch"):  # the drafts are German whoever asks for them
        context = {
            **facts,
            "municipality_lines": [_municipality_line(municipality) for municipality in facts["municipalities"]],
            "leg_possible_since": date_format(date.fromisoformat(facts["leg_possible_since"]), "j. F Y"),
        }
        subject = render_to_string(f"pipeline/outreach/{template}_subject.txt", context)
        body = render_to_string(f"pipeline/outreach/{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def outreach_fact_rows(facts: dict) -> list[tuple[str, str]]:
    """A draft's facts as (German name, value) rows, for the reviewer who checks what each sentence rests on."""
    rows = [
        (_("Netzbetreiber"), facts.get("utility", "")),
        *((_("Gemeinde"), _municipality_line(municipality)) for municipality in facts.get("municipalities", [])),
    ]
    if facts.get("municipalities_not_named"):
        rows.append((_("weitere Gemeinden, nicht genannt"), str(facts["municipalities_not_named"])))
    if facts.get("leg_possible_since"):
        since = date_format(date.fromisoformat(facts["leg_possible_since"]), "j. F Y")
        rows.append((_("LEG möglich seit"), since))
    rows.append((_("Rechtsgrundlage"), facts.get("leg_legal_basis", "")))
    if facts.get("sender"):
        rows.append((_("Absender"), facts["sender"]))
    return [(label, value) for label, value in rows if value]


def _municipality_line(municipality: dict) -> str:
    figures = []
    if "population" in municipality:
        figures.append(_("%(population)s Einwohner") % {"population": _whole(municipality["population"])})
    if "roof_potential_mwh" in municipality:
        figures.append(
            _("Solarpotenzial der Dächer %(mwh)s MWh pro Jahr") % {"mwh": _whole(municipality["roof_potential_mwh"])}
        )
    if "installed_pv_kwp" in municipality:
        figures.append(_("installierte Photovoltaik %(kwp)s kWp") % {"kwp": _whole(municipality["installed_pv_kwp"])})
    if not figures:
        return municipality["name"]
    return f"{municipality['name']}: {', '.join(figures)}"


def _whole(value) -> str:
    return swiss_number(Decimal(value), 0)
