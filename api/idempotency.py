"""``Idempotency-Key`` on POST: the first answer (status and body) is kept; a retry gets it again, nothing runs twice.

The key is claimed by inserting its row (unique per token and key) before the work starts, so two concurrent
requests cannot both run it: the second finds the claim and answers 409 ``idempotency_key_in_flight``. Final
answers (2xx and every refusal of the tool) are kept for ``AGENT_IDEMPOTENCY_HOURS``; an unexpected failure drops
the claim, so that a retry may run, and a claim left by a process that died is taken over after ten minutes.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import AgentToken, IdempotentAnswer

HEADER = "Idempotency-Key"
IN_FLIGHT = 0  # the status of a claimed key whose answer is not there yet
# A claim older than this without an answer belongs to a process that died (a request never runs this long; the
# web server's timeout ends it first): a retry may take the key over.
ABANDONED_AFTER = timedelta(minutes=10)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool = False


def request_fingerprint(path: str, body: dict) -> str:
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            "idempotency_key_invalid",
            _("Der Idempotency-Key muss aus 1 bis %(length)s druckbaren ASCII-Zeichen bestehen.")
            % {"length": MAX_KEY_LENGTH},
            status=400, details={"header": HEADER},
        )
    return key


def answer_once(*, token: AgentToken, key: str, fingerprint: str, produce: Callable[[], Answer]) -> Answer:
    """``produce()`` the answer the first time ``key`` is used by ``token``; the kept answer on a retry."""
    claim = _claim(token=token, key=check_key(key), fingerprint=fingerprint)
    if isinstance(claim, Answer):
        return claim
    try:
        answer = produce()
    except ApiError as refused:
        answer = Answer(status=refused.status, body=refused.body())
    except BaseException:
        claim.delete()
        raise
    IdempotentAnswer.objects.filter(pk=claim.pk).update(status=answer.status, body=answer.body)
    return answer


def _claim(*, token, key, fingerprint) -> IdempotentAnswer | Answer:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotentAnswer.objects.create(
                    token=token, key=key, request_hash=fingerprint, status=IN_FLIGHT, body={}
                )
        except IntegrityError:
            kept = IdempotentAnswer.objects.filter(token=token, key=key).first()
        if kept is None:  # forgotten in between: claim again
            continue
        if _forgettable(kept):
            IdempotentAnswer.objects.filter(pk=kept.pk, created_at=kept.created_at, status=kept.status).delete()
            continue
        return _replay(kept, fingerprint)
    raise _in_flight()


def _forgettable(kept: IdempotentAnswer) -> bool:
    """Past the keep time and not cleaned up yet, or a claim whose process died: as if never used."""
    if kept.created_at < keep_limit():
        return True
    return kept.status == IN_FLIGHT and kept.created_at < timezone.now() - ABANDONED_AFTER


def _replay(kept: IdempotentAnswer, fingerprint: str) -> Answer:
    if kept.request_hash != fingerprint:
        raise ApiError(
            "idempotency_key_reused",
            _("Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet."), status=422,
            details={"header": HEADER},
        )
    if kept.status == IN_FLIGHT:
        raise _in_flight()
    return Answer(status=kept.status, body=kept.body, replayed=True)


def _in_flight() -> ApiError:
    return ApiError(
        "idempotency_key_in_flight",
        _("Eine Anfrage mit diesem Idempotency-Key wird gerade bearbeitet. Bitte später wiederholen."),
        status=409, details={"header": HEADER},
    )


def keep_limit(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(hours=settings.AGENT_IDEMPOTENCY_HOURS)


def forget_expired_answers(*, now: datetime | None = None) -> int:
    """Delete kept answers older than the keep time; returns how many."""
    deleted, _by_model = IdempotentAnswer.objects.filter(created_at__lt=keep_limit(now)).delete()
    return deleted


@shared_task(name="api.idempotency.forget_expired_answers", time_limit=10 * 60, soft_time_limit=9 * 60)
def forget_expired_answers_task() -> int:
    return forget_expired_answers()
