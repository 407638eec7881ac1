"""Point 15, 接受社会监督评议: the public's evaluations and comments, left on the page without login.

Anyone may leave one (a few per address an hour, counted in the shared rate-limit cache); it waits unseen until the
district office publishes it (with an answer) or keeps it unpublished. It is plain text: pages show it escaped.
"""

import hashlib

from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from organisation.locking import locked_in_reach
from organisation.validation import role_require
from partners.choices import EvaluationStatus
from partners.models import Department, PublicEvaluation
from partners.permissions import EVALUATION_MODERATORS, partners_scope
from partners.rules import EVALUATION_MAX_CHARS, EVALUATION_WINDOW_SECONDS, EVALUATIONS_PER_ADDRESS


def evaluation_rate_key(address: str) -> str:
    """The cache key of an address's count (a digest: the cache holds no address)."""
    return "partners-evaluation-" + hashlib.sha256((address or "-").encode()).hexdigest()[:32]


@transaction.atomic
def evaluation_submit(
    *, address: str, text: str, author: str = "", department: Department | None = None
) -> PublicEvaluation:
    """Store an evaluation from the public page for moderation; refused past the address's hourly limit."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your evaluation or comment.")})
    if len(text) > EVALUATION_MAX_CHARS:
        raise ValidationError({"text": _("Keep it under %(limit)s characters.") % {"limit": EVALUATION_MAX_CHARS}})
    cache, key = caches["rate_limit"], evaluation_rate_key(address)
    try:
        cache.add(key, 0, timeout=EVALUATION_WINDOW_SECONDS)
        count = cache.incr(key)
    except (RedisError, ValueError) as error:
        # Without its count the form cannot hold the limit: it refuses (in words, never a 500) until Redis is back.
        raise ValidationError(_("The form cannot take evaluations right now. Please try again later.")) from error
    if count > EVALUATIONS_PER_ADDRESS:
        raise ValidationError(
            _("You have left %(count)s comments in the last hour. Please try again later.")
            % {"count": EVALUATIONS_PER_ADDRESS}
        )
    return PublicEvaluation.objects.create(department=department, author=(author or "").strip()[:50], text=text)


@transaction.atomic
def evaluation_moderate(
    *, user: User, evaluation: PublicEvaluation, publish: bool, answer: str = ""
) -> PublicEvaluation:
    """The district office publishes the evaluation (with its answer, if any) or keeps it unpublished."""
    role_require(user, EVALUATION_MODERATORS, _("The district office moderates the public's evaluations."))
    evaluation = locked_in_reach(partners_scope, user, evaluation)
    answer = (answer or "").strip()
    evaluation.status = EvaluationStatus.PUBLISHED if publish else EvaluationStatus.REJECTED
    evaluation.answer = answer
    evaluation.moderated_by = user
    evaluation.moderated_at = timezone.now()
    evaluation.save(update_fields=["status", "answer", "moderated_by", "moderated_at"])
    return evaluation
