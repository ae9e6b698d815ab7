"""Demo master data: one fictitious utility with two communities. Safe to load twice."""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.db import transaction

from accounts.models import PortalRole, User
from communities import services
from communities.models import (
    Community,
    CommunityStatus,
    Door,
    MeteringPoint,
    Participant,
    ParticipantKind,
    ParticipantRole,
)
from openleg.iban import mod97
from pipeline.demo import DEMO_MARKET_SOURCE
from pipeline.models import Municipality, Utility

DEMO_VNB_NUMBER = "100999"
DEMO_LOGINS = (
    ("admin", "openleg-admin", "Mitarbeitende OpenLEG (Admin)"),
    ("vnb", "openleg-vnb", "Benutzerin des Netzbetreibers (Portal), Rolle «Abrechnung freigeben»"),
    ("desk", "openleg-desk", "Benutzer des Netzbetreibers (Portal), Rolle «LEG-Desk»"),
    ("viewer", "openleg-viewer", "Benutzer des Netzbetreibers (Portal), Rolle «Nur lesen»"),
)
# The demo utility's portal users by login: e-mail (for the password reset), first and last name, role.
_DEMO_UTILITY_USERS = {
    "vnb": ("vnb@ews-demo.example", "Petra", "Demo", PortalRole.APPROVER),
    "desk": ("desk@ews-demo.example", "Marco", "Desk", PortalRole.DESK),
    "viewer": ("viewer@ews-demo.example", "Lea", "Leser", PortalRole.VIEWER),
}

_FIRST = [
    "Anna",
    "Beat",
    "Claudia",
    "Daniel",
    "Eva",
    "Fritz",
    "Gabriela",
    "Hans",
    "Irene",
    "Jürg",
    "Karin",
    "Lukas",
    "Monika",
    "Nicole",
    "Oskar",
]
_LAST = [
    "Ammann",
    "Brunner",
    "Caflisch",
    "Döbeli",
    "Egger",
    "Fischer",
    "Gerber",
    "Huber",
    "Imhof",
    "Jost",
    "Keller",
    "Lüthi",
    "Meier",
    "Nussbaumer",
    "Odermatt",
]


PRODUCING = (ParticipantRole.PRODUCER, ParticipantRole.PROSUMER)


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    slug: str
    municipality: tuple[int, str]
    street: str
    reduction_percent: int
    size: int
    circuits: tuple[str, ...]
    companies: int
    iban: str
    credit_handling: str = "carry_over"
    account_iban: str = ""
    reminder_fee_chf: Decimal = Decimal("0.00")
    status: str = "active"  # where the demo takes it: documents.demo walks it there through the formation
    start: date = date(2026, 1, 1)
    registered_on: date | None = date(2025, 9, 15)


DEMO_COMMUNITIES = (
    DemoCommunity(
        "LEG Sonnenberg Dorf",
        "sonnenberg-dorf",
        (9901, "Sonnenberg"),
        "Dorfstrasse",
        40,
        12,
        ("TS-101",),
        1,
        "CH4431999123000889012",
        # its IBAN is a QR-IBAN: credits are paid out from the account's ordinary IBAN
        credit_handling="payout",
        account_iban="CH3800483000000555001",
        reminder_fee_chf=Decimal("20.00"),
    ),
    DemoCommunity(
        "LEG Talwil Gewerbe",
        "talwil-gewerbe",
        (9902, "Talwil"),
        "Industriestrasse",
        20,
        9,
        ("TS-201", "TS-202"),
        3,
        "CH9300762011623852957",
    ),
    # A community still in formation: staff walk it through the workflow in the demo.
    DemoCommunity(
        "LEG Rebhalde",
        "rebhalde",
        (9903, "Rebwil"),
        "Rebhaldenweg",
        40,
        6,
        ("TS-301",),
        0,
        "CH5800791123000889012",
        status="draft",
        start=date(2027, 4, 1),
        registered_on=None,
    ),
)


# What the pipeline knows of the demo municipalities (population, installed PV kWp, roof potential MWh/year), so
# that the demo customer is scored like the market's utilities.
DEMO_MARKET_FIGURES = {
    9901: (2480, Decimal("1860.0"), Decimal("15400.0")),
    9902: (5120, Decimal("4350.0"), Decimal("31800.0")),
    9903: (1310, Decimal("820.5"), Decimal("9050.0")),
}


def demo_mp_id(community_index: int, number: int) -> str:
    return f"CH{DEMO_VNB_NUMBER}12345{community_index:06d}{number:014d}"


def demo_iban(community_index: int, number: int) -> str:
    """A valid ordinary Swiss IBAN (bank 762) for a demo participant's payouts."""
    bban = f"{762:05d}{community_index * 1000 + number:012d}"
    return f"CH{98 - mod97(bban + 'CH00'):02d}{bban}"


def _role(number: int) -> str:
    cycle = [ParticipantRole.PROSUMER, ParticipantRole.CONSUMER, ParticipantRole.CONSUMER, ParticipantRole.PRODUCER]
    return cycle[number % len(cycle)]


@transaction.atomic
def load_demo_master_data() -> dict[str, int]:
    utility, _ = Utility.objects.get_or_create(
        vnb_number=DEMO_VNB_NUMBER,
        defaults={
            "name": "Elektrizitätswerk Sonnenberg AG (Demo)",
            "short_name": "EWS-DEMO",
            "canton": "AG",
            "eic": "12X-0000009999-Z",
            "contact_name": "Petra Demo",
            "email": "leg@ews-demo.example",
            "phone": "+41 62 000 00 00",
            "street": "Werkstrasse",
            "house_number": "1",
            "postcode": "5000",
            "town": "Sonnenberg",
            "grid_usage_rp_kwh": Decimal("9.5000"),
            "smart_meter_share": Decimal("0.780"),
            "is_demo": True,
        },
    )
    _load_users(utility)
    for index, spec in enumerate(DEMO_COMMUNITIES, start=1):
        bfs_number, name = spec.municipality
        population, installed_pv_kwp, roof_potential_mwh = DEMO_MARKET_FIGURES[bfs_number]
        municipality, _ = Municipality.objects.get_or_create(
            bfs_number=bfs_number,
            defaults={
                "name": name,
                "canton": "AG",
                "population": population,
                "installed_pv_kwp": installed_pv_kwp,
                "roof_potential_mwh": roof_potential_mwh,
                "market_data_source": DEMO_MARKET_SOURCE,
            },
        )
        utility.municipalities.add(municipality)
        community, created = Community.objects.get_or_create(
            utility=utility,
            name=spec.name,
            defaults={
                "municipality": municipality,
                "slug": spec.slug,
                "reduction_percent": spec.reduction_percent,
                "status": CommunityStatus.DRAFT,  # every community starts as a draft
                "start_date": spec.start,
                "registered_on": spec.registered_on,
                "iban": spec.iban,
                "account_iban": spec.account_iban,
                "credit_handling": spec.credit_handling,
                "reminder_fee_chf": spec.reminder_fee_chf,
                "street": spec.street,
                "house_number": "1",
                "postcode": "5000",
                "town": spec.municipality[1],
            },
        )
        if created:
            _load_members(community, spec, index, utility)
            _load_tariff(community, with_time_of_use=index == 1)
    return {
        "communities": utility.communities.count(),
        "participants": Participant.objects.filter(community__utility=utility).count(),
        "metering_points": MeteringPoint.objects.filter(utility=utility).count(),
    }


def _load_users(utility: Utility) -> None:
    passwords = {username: password for username, password, _role in DEMO_LOGINS}
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@openleg.example", passwords["admin"])
    for username, (email, first_name, last_name, role) in _DEMO_UTILITY_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            User.objects.create_user(
                username,
                email,
                passwords[username],
                utility=utility,
                first_name=first_name,
                last_name=last_name,
                portal_role=role,
            )
        elif user.portal_role != role:  # a demo loaded before roles existed
            user.portal_role = role
            user.save(update_fields=["portal_role"])


def _load_members(community: Community, spec: DemoCommunity, index: int, utility: Utility) -> None:
    for number in range(spec.size):
        is_company = number < spec.companies
        role = ParticipantRole.PRODUCER if is_company and index == 2 and number == 0 else _role(number)
        participant = services.participant_create(
            actor=None,
            door=Door.COMMAND,
            community=community,
            customer_number=f"{index}{number + 1:04d}",
            kind=ParticipantKind.COMPANY if is_company else ParticipantKind.PERSON,
            first_name="" if is_company else _FIRST[number],
            last_name="" if is_company else _LAST[number],
            company_name=f"{_LAST[number]} {spec.municipality[1]} AG" if is_company else "",
            email=f"teilnehmer{index}{number + 1:02d}@example.ch",
            role=role,
            # producers give their bank account for payouts of their credits
            iban=demo_iban(index, number + 1) if role in PRODUCING else "",
            member_from=spec.start,
            street=spec.street,
            house_number=str(number * 2 + 1),
            postcode="5000",
            town=spec.municipality[1],
        )
        produces = role in PRODUCING
        metering_point = services.metering_point_create(
            actor=None,
            door=Door.COMMAND,
            mp_id=demo_mp_id(index, number + 1),
            utility=utility,
            connection_capacity_kw=Decimal("40.000") if is_company else Decimal("25.000"),
            installed_capacity_kwp=(Decimal("60.000") if is_company else Decimal("9.600")) if produces else 0,
            transformer_circuit=spec.circuits[number % len(spec.circuits)],
            site=f"{spec.street} {number * 2 + 1}, {spec.municipality[1]}",
            municipality=community.municipality,
        )
        services.membership_start(
            metering_point=metering_point,
            participant=participant,
            valid_from=spec.start,
            actor=None,
            door=Door.COMMAND,
        )
        if number == 0:
            community.representative = participant
            services.audited_save(instance=community, actor=None, door=Door.COMMAND)


def _load_tariff(community: Community, *, with_time_of_use: bool) -> None:
    windows = [
        {
            "label": "Hochtarif",
            "weekdays": "12345",
            "start_time": time(7),
            "end_time": time(20),
            "consumer_price_rp_kwh": Decimal("22.5000"),
            "producer_price_rp_kwh": Decimal("13.0000"),
        }
    ]
    services.tariff_create(
        community=community,
        valid_from=community.start_date,
        consumer_price_rp_kwh=Decimal("18.5000"),
        producer_price_rp_kwh=Decimal("11.0000"),
        actor=None,
        door=Door.COMMAND,
        windows=windows if with_time_of_use else [],
        fees=[{"label": "Verwaltungsgebühr", "amount_chf": Decimal("2.50"), "basis": "month"}],
    )
