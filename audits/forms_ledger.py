"""Forms of the rectification ledger: typed input only; the rules are in ``audits.services.ledger``."""

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits import evidence, rules
from audits.choices import Category, ItemStatus, LookBackOutcome, Source
from audits.models import AuditsPolicy, LookBack, Measure, ProgressNote, RectificationItem
from audits.permissions import DISTRICT_WRITERS
from audits.selectors.ledger import NOT_CLOSED, REOPENED, Overdue
from organisation.forms import choice_of, filter_field, model_field, styled
from organisation.models import Village
from organisation.roles import Role
from organisation.scoping import Access, role_of, towns_for, villages_for

_ITEM_FIELDS = ("category", "village", "description", "responsible_unit", "responsible_person")


def _account_label(user: User) -> str:
    return user.get_full_name() or user.username


class ItemUpdateForm(forms.Form):
    """What an item says and who answers for it."""

    category = model_field(RectificationItem, "category", label=pgettext_lazy("rectification ledger", "Category"))
    village = choice_of(None, RectificationItem._meta.get_field("village").verbose_name, required=False)
    description = model_field(RectificationItem, "description")
    responsible_unit = model_field(RectificationItem, "responsible_unit")
    responsible_person = model_field(RectificationItem, "responsible_person")

    responsible_user = choice_of(
        None, RectificationItem._meta.get_field("responsible_user").verbose_name, required=False
    )

    def __init__(self, *args, villages, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        # Who may answer for an item: a post in one of its possible towns, or at the district.
        field = self.fields["responsible_user"]
        district = Q(staff_post__town__isnull=True, staff_post__village__isnull=True)
        field.queryset = (
            User.objects.filter(Q(staff_post__town__in=towns) | district, is_active=True)
            .exclude(staff_post__role=Role.AUDIT)
            .order_by("username")
        )
        field.label_from_instance = _account_label
        field.help_text = _(
            "The account of the responsible person, if they have one: they may not close the item off."
        )


class ItemRaiseForm(ItemUpdateForm):
    """A new item: its source (those the user's post raises), town, time limit and the fields of any item."""

    source = model_field(RectificationItem, "source")
    source_reference = model_field(RectificationItem, "source_reference")
    town = choice_of(None, RectificationItem._meta.get_field("town").verbose_name)
    time_limit_working_days = model_field(RectificationItem, "time_limit_working_days", min_value=1, max_value=250)

    field_order = ["source", "source_reference", "town", *_ITEM_FIELDS, "responsible_user", "time_limit_working_days"]

    def __init__(self, *args, user, **kwargs):
        towns = towns_for(user, Access.CHANGE, DISTRICT_WRITERS).order_by("code")
        villages = villages_for(user, Access.CHANGE, DISTRICT_WRITERS).order_by("code")
        super().__init__(*args, villages=villages, towns=towns, **kwargs)
        role = Role.DISTRICT_OFFICE if user.is_superuser else role_of(user)
        allowed = rules.hand_raise_sources(role)
        self.fields["source"].choices = [(value, label) for value, label in Source.choices if value in allowed]
        self.fields["town"].queryset = towns
        self.fields["time_limit_working_days"].initial = AuditsPolicy.current().item_working_days


class MeasureForm(forms.Form):
    description = model_field(Measure, "description")
    owner_unit = model_field(Measure, "owner_unit")
    owner_user = choice_of(None, Measure._meta.get_field("owner_user").verbose_name, required=False)
    due_on = model_field(Measure, "due_on")

    def __init__(self, *args, item: RectificationItem, **kwargs):
        super().__init__(*args, **kwargs)
        # Those who work where the item is: the town's staff, and the clerks of its village.
        posts = Q(staff_post__town=item.town, staff_post__role=Role.TOWN_STAFF)
        if item.village_id:
            posts |= Q(staff_post__village=item.village_id, staff_post__role=Role.VILLAGE_CLERK)
        field = self.fields["owner_user"]
        field.queryset = User.objects.filter(posts, is_active=True).order_by("username")
        field.label_from_instance = _account_label


class MeasureDoneForm(forms.Form):
    done_on = model_field(Measure, "done_on", required=True)


class ProgressNoteForm(forms.Form):
    text = model_field(ProgressNote, "text")


class EvidenceForm(forms.Form):
    upload = styled(
        forms.FileField(
            label=_("File"),
            help_text=_("PDF, PNG or JPEG images, Excel (xlsx) or Word (docx); at most %(size)s MB.")
            % {"size": evidence.DEFAULT_MAX_BYTES // (1024 * 1024)},
            widget=forms.ClearableFileInput(attrs={"accept": ",".join(evidence.ACCEPTED_EXTENSIONS)}),
        )
    )


class CloseOffRequestForm(forms.Form):
    note = model_field(RectificationItem, "close_request_note", required=True)


class CloseOffVerifyForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = styled(
        forms.ChoiceField(
            label=_("Decision"),
            choices=[(APPROVE, _("Close off")), (RETURN, _("Return for further rectification"))],
            widget=forms.RadioSelect,
        )
    )
    note = model_field(RectificationItem, "close_verdict_note")


class LookBackForm(forms.Form):
    outcome = model_field(LookBack, "outcome", required=True)
    note = model_field(LookBack, "note", required=True)
    time_limit_working_days = model_field(
        RectificationItem, "time_limit_working_days", required=False, min_value=1, max_value=250
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = LookBackOutcome.choices
        self.fields["time_limit_working_days"].help_text = _("If it rebounded: the new time limit (else the item's).")


class LedgerFilterForm(forms.Form):
    """The ledger's filters; a value that does not parse does not filter."""

    q = filter_field(forms.CharField(label=_("Search"), max_length=100))
    source = filter_field(forms.ChoiceField(label=_("source"), choices=[("", _("All sources")), *Source.choices]))
    category = filter_field(
        forms.ChoiceField(
            label=pgettext_lazy("rectification ledger", "Category"),
            choices=[("", _("All categories")), *Category.choices],
        )
    )
    town = filter_field(choice_of(None, _("Town or street"), empty_label=_("All towns")))
    # A village's page links to its items (a hidden filter: the page says which village it shows).
    village = forms.ModelChoiceField(queryset=Village.objects.none(), required=False, widget=forms.HiddenInput)
    status = filter_field(
        forms.ChoiceField(
            label=_("status"),
            choices=[("", _("Any status")), (NOT_CLOSED, _("Not closed off")), *ItemStatus.choices],
        )
    )
    overdue = filter_field(
        forms.ChoiceField(label=_("Overdue"), choices=[("", _("Overdue or not")), *Overdue.choices])
    )
    reopened = filter_field(
        forms.ChoiceField(
            label=_("Reopened"),
            choices=[("", _("Reopened or not")), (REOPENED, _("Reopened after a look-back"))],
        )
    )

    def __init__(self, data, *, towns, villages=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["town"].queryset = towns
        if villages is not None:
            self.fields["village"].queryset = villages

    def filters(self) -> dict:
        """The item list selector's arguments."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "source": data.get("source") or "",
            "category": data.get("category") or "",
            "town": data.get("town"),
            "village": data.get("village"),
            "status": data.get("status") or "",
            "overdue": data.get("overdue") or "",
            "reopened": data.get("reopened") or "",
            "query": data.get("q") or "",
        }
