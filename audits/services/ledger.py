"""Writes of the rectification ledger (整改台账, points 19 and 20): raise an item, itemise its measures, note progress,
upload evidence, ask for close-off (销号), verify it, and look back (回头看) after it.

Every function checks the user's role (``audits.permissions``) and reach (``audits_scope`` through
``locked_in_reach``), and raises ``ValidationError`` (Chinese, keyed by the form's field) or ``PermissionDenied``; a
refusal leaves nothing written. The separation of duties of the close-off (the verifier is neither the responsible
person nor who asked) is checked here and held by the database's CHECK constraints.
"""

import datetime as dt
import hashlib
import uuid

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import evidence as evidence_files
from audits import numbering, rules
from audits.choices import ItemStatus, LookBackOutcome
from audits.models import AuditEngagement, AuditsPolicy, Evidence, LookBack, Measure, ProgressNote, RectificationItem
from audits.permissions import (
    CLOSE_OFF_VERIFIERS,
    DISTRICT_WRITERS,
    ITEM_KEEPERS,
    ITEM_RAISERS,
    PROGRESS_WRITERS,
    audits_scope,
    verifier_refusal,
)
from organisation.locking import locked_in_reach
from organisation.models import Town, Village
from organisation.roles import Role
from organisation.scoping import Access, role_of, towns_for
from organisation.validation import date_check, role_require, text_required
from organisation.workdays import WorkingCalendar

# --- Raising and keeping an item ----------------------------------------------------------------------------------


@transaction.atomic
def item_raise(
    *,
    user: User,
    source: str,
    category: str,
    town: Town,
    description: str,
    responsible_unit: str,
    responsible_person: str,
    time_limit_working_days: int,
    village: Village | None = None,
    responsible_user: User | None = None,
    source_reference: str = "",
    engagement: AuditEngagement | None = None,
) -> RectificationItem:
    """Raise an item by hand: numbered in its year, its clock starting today, due ``time_limit_working_days`` working
    days later. The district bodies raise any outside or hand-found problem; a town its self-check and complaints.
    ``engagement``: the audit or inspection that found it (its reach is the caller's check)."""
    role_require(user, ITEM_RAISERS)
    role = Role.DISTRICT_OFFICE if user.is_superuser else role_of(user)
    if source not in rules.hand_raise_sources(role):
        raise PermissionDenied(_("Your post does not raise items of this source."))
    if not towns_for(user, Access.CHANGE, DISTRICT_WRITERS).filter(pk=town.pk).exists():
        raise PermissionDenied(_("This record is outside the towns and villages you work for."))
    fields = _item_fields_check(
        town=town,
        village=village,
        description=description,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        responsible_user=responsible_user,
    )
    _time_limit_check(time_limit_working_days)
    today = timezone.localdate()
    item = RectificationItem(
        year=today.year,
        sequence=numbering.numbers_take(kind=numbering.ITEM, year=today.year)[0],
        source=source,
        source_reference=source_reference.strip(),
        category=category,
        town=town,
        time_limit_working_days=time_limit_working_days,
        raised_by=user,
        clock_start=today,
        engagement=engagement,
        **fields,
    )
    item.refresh_due(WorkingCalendar.load())
    item.save()
    return item


@transaction.atomic
def item_update(
    *,
    user: User,
    item: RectificationItem,
    category: str,
    description: str,
    responsible_unit: str,
    responsible_person: str,
    village: Village | None = None,
    responsible_user: User | None = None,
) -> RectificationItem:
    """Correct what an item says and who answers for it; an item asked to be closed off, or closed, stays as it is."""
    role_require(user, ITEM_KEEPERS)
    item = locked_in_reach(audits_scope, user, item)
    if item.status != ItemStatus.OPEN:
        raise ValidationError(_("An item asked to be closed off, or closed off, can no longer be changed."))
    fields = _item_fields_check(
        town=item.town,
        village=village,
        description=description,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        responsible_user=responsible_user,
    )
    item.category = category
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=["category", *fields])
    return item


def _item_fields_check(
    *,
    town: Town,
    village: Village | None,
    description: str,
    responsible_unit: str,
    responsible_person: str,
    responsible_user: User | None,
) -> dict:
    if village is not None and village.town_id != town.pk:
        raise ValidationError({"village": _("The village is not in the item's town.")})
    if responsible_user is not None and not _reaches(responsible_user, town):
        raise ValidationError({"responsible_user": _("This account does not work for the item's town.")})
    return {
        "village": village,
        "description": text_required(description, "description", _("Describe the problem.")),
        "responsible_unit": text_required(responsible_unit, "responsible_unit", _("Name the responsible unit.")),
        "responsible_person": text_required(
            responsible_person, "responsible_person", _("Name the responsible person.")
        ),
        "responsible_user": responsible_user,
    }


def _reaches(account: User, town: Town) -> bool:
    return towns_for(account, Access.VIEW).filter(pk=town.pk).exists()


def _time_limit_check(working_days: int | None) -> int:
    if working_days is None or not 1 <= working_days <= 250:
        raise ValidationError({"time_limit_working_days": _("The time limit is between 1 and 250 working days.")})
    return working_days


def _open_item(user: User, item: RectificationItem) -> RectificationItem:
    """The item locked in the user's reach, while it is still being rectified (not asked to be closed, nor closed)."""
    item = locked_in_reach(audits_scope, user, item)
    if item.status == ItemStatus.CLOSED:
        raise ValidationError(_("This item is closed off: nothing more is added to it."))
    return item


# --- Measures and their progress ----------------------------------------------------------------------------------


@transaction.atomic
def measure_add(
    *,
    user: User,
    item: RectificationItem,
    description: str,
    owner_unit: str,
    due_on: dt.date,
    owner_user: User | None = None,
) -> Measure:
    """One more itemised measure of an item (逐条逐项细化整改措施), with its owner and due date."""
    role_require(user, ITEM_KEEPERS)
    item = _open_item(user, item)
    return Measure.objects.create(
        item=item, **_measure_fields_check(item, description, owner_unit, due_on, owner_user)
    )


@transaction.atomic
def measure_update(
    *,
    user: User,
    measure: Measure,
    description: str,
    owner_unit: str,
    due_on: dt.date,
    owner_user: User | None = None,
) -> Measure:
    role_require(user, ITEM_KEEPERS)
    measure = locked_in_reach(audits_scope, user, measure)
    item = _open_item(user, measure.item)
    fields = _measure_fields_check(item, description, owner_unit, due_on, owner_user)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.save(update_fields=list(fields))
    return measure


def _measure_fields_check(
    item: RectificationItem, description: str, owner_unit: str, due_on: dt.date | None, owner_user: User | None
) -> dict:
    if due_on is None:
        raise ValidationError({"due_on": _("Give the date.")})
    if item.clock_start is not None and due_on < item.clock_start:
        raise ValidationError({"due_on": _("A measure cannot be due before its item was raised.")})
    if owner_user is not None and not audits_scope(owner_user, Access.VIEW).filter(pk=item.pk).exists():
        raise ValidationError({"owner_user": _("This account does not see the item: it cannot own a measure of it.")})
    return {
        "description": text_required(description, "description", _("Describe the measure.")),
        "owner_unit": text_required(owner_unit, "owner_unit", _("Name who carries out the measure.")),
        "due_on": due_on,
        "owner_user": owner_user,
    }


@transaction.atomic
def measure_done(*, user: User, measure: Measure, done_on: dt.date) -> Measure:
    role_require(user, ITEM_KEEPERS)
    measure = locked_in_reach(audits_scope, user, measure)
    item = _open_item(user, measure.item)
    if measure.done_on is not None:
        raise ValidationError(_("This measure was already done on %(date)s.") % {"date": measure.done_on})
    measure.done_on = date_check(done_on, "done_on", after=(_("the day the item was raised"), item.clock_start))
    measure.save(update_fields=["done_on"])
    return measure


@transaction.atomic
def progress_note_add(*, user: User, measure: Measure, text: str) -> ProgressNote:
    """整改进展: a dated note on a measure; a village clerk writes only on the measures assigned to them."""
    role_require(user, PROGRESS_WRITERS)
    measure = locked_in_reach(audits_scope, user, measure)
    if role_of(user) == Role.VILLAGE_CLERK and measure.owner_user_id != user.pk:
        raise PermissionDenied(_("A village clerk writes progress only on the measures assigned to them."))
    _open_item(user, measure.item)
    text = text_required(text, "text", _("Say what progress was made."))
    return ProgressNote.objects.create(measure=measure, text=text, written_by=user)


# --- Evidence -----------------------------------------------------------------------------------------------------


class _HashingFile(File):
    """The upload as storage writes it, hashed chunk by chunk on the way (SHA-256)."""

    def __init__(self, upload, name: str):
        super().__init__(upload, name=name)
        self.upload = upload
        self.digest = hashlib.sha256()

    def chunks(self, chunk_size=None):
        for chunk in self.upload.chunks(chunk_size):
            self.digest.update(chunk)
            yield chunk


@transaction.atomic
def evidence_upload(*, user: User, item: RectificationItem, upload) -> Evidence:
    """Store a file proving the item fixed: a PDF, an image (PNG, JPEG), an xlsx or docx, recognised by its content,
    its name agreeing; no larger than the limit. Its SHA-256 is computed while it is stored."""
    role_require(user, ITEM_KEEPERS)
    item = _open_item(user, item)
    limit = evidence_files.evidence_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {"upload": _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 1024 / 1024, 1)}}
        )
    kind = evidence_files.content_type_of(upload)
    if kind is None:
        raise ValidationError(
            {"upload": _("Only PDF files, PNG or JPEG images, Excel (xlsx) and Word (docx) documents are accepted.")}
        )
    if not evidence_files.name_matches(upload.name, kind):
        raise ValidationError(
            {
                "upload": _("The file's name (%(name)s) does not match its content (%(kind)s).")
                % {"name": upload.name, "kind": kind.key.upper()}
            }
        )
    upload.seek(0)
    stored = _HashingFile(upload, name=f"{uuid.uuid4().hex}{kind.extension}")
    evidence = Evidence(
        item=item,
        original_name=upload.name[:255],
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(stored.name, stored, save=False)
    evidence.sha256 = stored.digest.hexdigest()
    try:
        evidence.save()
    except BaseException:
        evidence.file.delete(save=False)  # no row, no file
        raise
    return evidence


# --- Close-off (销号) and look-back (回头看) -------------------------------------------------------------------------


@transaction.atomic
def close_off_request(*, user: User, item: RectificationItem, note: str) -> RectificationItem:
    """The responsible unit asks for the item to be closed off, saying what was done; evidence must be uploaded."""
    role_require(user, ITEM_KEEPERS)
    item = locked_in_reach(audits_scope, user, item)
    if item.status != ItemStatus.OPEN:
        raise ValidationError(_("This item was already asked to be closed off, or is closed off."))
    note = text_required(note, "note", _("Say what was done to fix the problem."))
    if not item.evidence.exists():
        raise ValidationError(_("Upload at least one evidence file before asking for the close-off."))
    item.status = ItemStatus.CLOSE_OFF_REQUESTED
    item.close_requested_by, item.close_requested_at, item.close_request_note = user, timezone.now(), note
    item.save(update_fields=["status", "close_requested_by", "close_requested_at", "close_request_note"])
    return item


@transaction.atomic
def close_off_verify(*, user: User, item: RectificationItem, approve: bool, note: str = "") -> RectificationItem:
    """Close the item off (销号), scheduling its look-back after the policy's days; or return the request, with the
    reason, to be rectified further."""
    role_require(user, CLOSE_OFF_VERIFIERS)
    item = locked_in_reach(audits_scope, user, item)
    if (refusal := verifier_refusal(user, item)) is not None:
        raise PermissionDenied(refusal)
    if item.status != ItemStatus.CLOSE_OFF_REQUESTED:
        raise ValidationError(_("This item is not waiting for its close-off to be verified."))
    if not approve:
        item.status = ItemStatus.OPEN
        item.close_verdict_note = text_required(note, "note", _("Say why the close-off is returned."))
        item.save(update_fields=["status", "close_verdict_note"])
        return item
    today = timezone.localdate()
    item.status, item.closed_by, item.closed_on = ItemStatus.CLOSED, user, today
    item.closed_late = item.due_date is not None and today > item.due_date
    item.close_verdict_note = note.strip()
    item.save(update_fields=["status", "closed_by", "closed_on", "closed_late", "close_verdict_note"])
    look_back = LookBack(item=item, after_days=AuditsPolicy.current().look_back_days, clock_start=today)
    look_back.refresh_due(WorkingCalendar.load())
    look_back.save()
    return item


@transaction.atomic
def look_back_record(
    *,
    user: User,
    look_back: LookBack,
    outcome: str,
    note: str,
    time_limit_working_days: int | None = None,
) -> LookBack:
    """The look-back's finding: the item stayed fixed, or it rebounded (反弹) and is reopened with a new time limit
    (the item's own unless given) counted from today."""
    role_require(user, CLOSE_OFF_VERIFIERS)
    look_back = locked_in_reach(audits_scope, user, look_back)
    item = locked_in_reach(audits_scope, user, look_back.item)
    if (refusal := verifier_refusal(user, item, separation=False)) is not None:
        raise PermissionDenied(refusal)
    if look_back.outcome:
        raise ValidationError(_("This look-back was already recorded."))
    if outcome not in LookBackOutcome.values:
        raise ValidationError({"outcome": _("Choose the look-back's outcome.")})
    today = timezone.localdate()
    look_back.outcome, look_back.done_by, look_back.done_on = outcome, user, today
    look_back.note = text_required(note, "note", _("Say what the look-back found."))
    look_back.save(update_fields=["outcome", "done_by", "done_on", "note"])
    if outcome == LookBackOutcome.REBOUND:
        _reopen(item, today, time_limit_working_days)
    return look_back


def _reopen(item: RectificationItem, today: dt.date, time_limit_working_days: int | None) -> None:
    if time_limit_working_days is not None:
        item.time_limit_working_days = _time_limit_check(time_limit_working_days)
    item.status, item.reopened_count, item.clock_start = ItemStatus.OPEN, item.reopened_count + 1, today
    item.closed_by, item.closed_on, item.closed_late = None, None, False
    item.close_requested_by, item.close_requested_at = None, None
    item.refresh_due(WorkingCalendar.load())
    item.save(
        update_fields=[
            "status",
            "reopened_count",
            "clock_start",
            "time_limit_working_days",
            "due_date",
            "due_is_provisional",
            "closed_by",
            "closed_on",
            "closed_late",
            "close_requested_by",
            "close_requested_at",
        ]
    )
