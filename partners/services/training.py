"""Point 18, 加强源头预防: the responsibility rules (《兰山区脱贫攻坚责任制实施细则》), who holds which responsibility
at district, town and village level, for each assistance cadre and each sector department, and the trainings the
district and the towns hold (扶贫政策、资金资产管理、项目实施、问题整改、风险防范) with each person's attendance."""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from households.models import Cadre
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.scoping import may_act
from organisation.validation import date_check, role_require, text_required
from partners.choices import ResponsibilityLevel, TrainingLevel, TrainingTopic
from partners.models import Department, Responsibility, ResponsibilityRules, TrainingAttendance, TrainingSession
from partners.permissions import (
    DISTRICT_WRITERS,
    RESPONSIBILITY_KEEPERS,
    RULES_KEEPERS,
    TRAINING_KEEPERS,
    partners_scope,
)

# Responsibilities of the whole district and of departments are the district office's to record.
DISTRICT_LEVELS = (ResponsibilityLevel.DISTRICT, ResponsibilityLevel.DEPARTMENT)
RULES_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def responsibility_rules_issue(
    *, user: User, title: str, issued_on: dt.date, text: str = "", document=None
) -> ResponsibilityRules:
    """The responsibility rules as issued: their text, or the uploaded document, or both."""
    role_require(user, RULES_KEEPERS, _("The district office issues the responsibility rules."))
    title = text_required(title, "title", _("Give the rules' title."))
    issued_on = date_check(issued_on, "issued_on")
    text = (text or "").strip()
    if not text and document is None:
        raise ValidationError({"text": _("Give the rules' text or upload their document.")})
    if document is not None and document.size > RULES_MAX_BYTES:
        raise ValidationError({"document": _("The document is larger than 20 MB.")})
    rules = ResponsibilityRules(title=title, issued_on=issued_on, text=text, recorded_by=user)
    if document is not None:
        rules.document.save(document.name, document, save=False)
    rules.save()
    return rules


@transaction.atomic
def responsibility_assign(
    *,
    user: User,
    level: str,
    holder: str,
    duty: str,
    town: Town | None = None,
    village: Village | None = None,
    cadre: Cadre | None = None,
    department: Department | None = None,
) -> Responsibility:
    """Who holds which responsibility: the district's and the departments' by the district office; a town's, a
    village's and a cadre's in a town by the office or the town's staff."""
    role_require(user, RESPONSIBILITY_KEEPERS, _("The district office and town staff record responsibilities."))
    if level not in ResponsibilityLevel.values:
        raise ValidationError({"level": _("Choose the level.")})
    if level in DISTRICT_LEVELS:
        role_require(user, DISTRICT_WRITERS, _("The district office records the district's responsibilities."))
        town = village = cadre = None
        if level == ResponsibilityLevel.DEPARTMENT:
            if department is None:
                raise ValidationError({"department": _("Choose the department.")})
            department = locked_in_reach(partners_scope, user, department)
        else:
            department = None
    else:
        department = None
        if level == ResponsibilityLevel.CADRE and cadre is None:
            raise ValidationError({"cadre": _("Choose the assistance cadre.")})
        if level != ResponsibilityLevel.CADRE:
            cadre = None
        # A cadre's responsibility may be the district's (no town) when the district office records it.
        district_cadre = level == ResponsibilityLevel.CADRE and may_act(user, DISTRICT_WRITERS)
        if town is None and not district_cadre:
            raise ValidationError({"town": _("Choose the town.")})
        if town is not None:
            town = locked_in_reach(partners_scope, user, town)
        if level == ResponsibilityLevel.VILLAGE and village is None:
            raise ValidationError({"village": _("Choose the village.")})
        if level == ResponsibilityLevel.TOWN:
            village = None
        if village is not None:
            village = locked_in_reach(partners_scope, user, village)
            if town is None or village.town_id != town.pk:
                raise ValidationError({"village": _("The village is not in the town chosen.")})
    return Responsibility.objects.create(
        level=level,
        holder=text_required(holder, "holder", _("Name who holds the responsibility.")),
        duty=text_required(duty, "duty", _("Describe the responsibility.")),
        town=town,
        village=village,
        cadre=cadre,
        department=department,
        recorded_by=user,
    )


@transaction.atomic
def training_record(
    *,
    user: User,
    level: str,
    topic: str,
    title: str,
    held_on: dt.date,
    town: Town | None = None,
    place: str = "",
    staff: Sequence[User] = (),
    cadres: Sequence[Cadre] = (),
) -> TrainingSession:
    """A training held by the district (the office records it) or by a town (its staff record it), on one of the
    five topics, with the staff and cadres who attended."""
    role_require(user, TRAINING_KEEPERS, _("The district office and town staff record trainings."))
    if level == TrainingLevel.DISTRICT:
        role_require(user, DISTRICT_WRITERS, _("The district office records the district's trainings."))
        town = None
    elif level == TrainingLevel.TOWN:
        if town is None:
            raise ValidationError({"town": _("Choose the town that held the training.")})
        town = locked_in_reach(partners_scope, user, town)
    else:
        raise ValidationError({"level": _("Choose the level.")})
    if topic not in TrainingTopic.values:
        raise ValidationError({"topic": _("Choose the topic.")})
    held_on = date_check(held_on, "held_on")
    staff, cadres = list(dict.fromkeys(staff)), list(dict.fromkeys(cadres))
    if not staff and not cadres:
        raise ValidationError({"staff": _("Choose who attended.")})
    if town is not None:
        outside = [person for person in staff if not _works_in(person, town)]
        if outside:
            names = "、".join(person.get_full_name() or person.username for person in outside)
            raise ValidationError({"staff": _("Not staff of the town: %(names)s.") % {"names": names}})
    session = TrainingSession.objects.create(
        level=level,
        town=town,
        topic=topic,
        title=text_required(title, "title", _("Give the training a title.")),
        held_on=held_on,
        place=(place or "").strip(),
        recorded_by=user,
    )
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(session=session, staff=person) for person in staff]
        + [TrainingAttendance(session=session, cadre=cadre) for cadre in cadres]
    )
    return session


def _works_in(person: User, town: Town) -> bool:
    return (
        User.objects.filter(pk=person.pk).filter(Q(staff_post__town=town) | Q(staff_post__village__town=town)).exists()
    )


@transaction.atomic
def attendance_mark(*, user: User, attendance: TrainingAttendance, attended: bool) -> TrainingAttendance:
    """Correct whether one person attended the session."""
    role_require(user, TRAINING_KEEPERS, _("The district office and town staff record trainings."))
    attendance = locked_in_reach(partners_scope, user, attendance)
    attendance.attended = bool(attended)
    attendance.save(update_fields=["attended"])
    return attendance
