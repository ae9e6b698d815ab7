from communities.models.audit import AuditEntry, Door
from communities.models.community import Community, CommunityStatus, CreditHandling, GridLevel, ReductionRate
from communities.models.formation import FormationStep
from communities.models.metering_points import METERING_POINT_ID_PATTERN, Membership, MeteringPoint
from communities.models.participant_list_upload import ParticipantListUpload
from communities.models.participants import Participant, ParticipantKind, ParticipantRole
from communities.models.tariffs import FeeBasis, Tariff, TariffFee, TariffWindow

__all__ = [
    "METERING_POINT_ID_PATTERN",
    "AuditEntry",
    "Community",
    "CommunityStatus",
    "CreditHandling",
    "Door",
    "FeeBasis",
    "FormationStep",
    "GridLevel",
    "Membership",
    "MeteringPoint",
    "Participant",
    "ParticipantKind",
    "ParticipantListUpload",
    "ParticipantRole",
    "ReductionRate",
    "Tariff",
    "TariffFee",
    "TariffWindow",
]
