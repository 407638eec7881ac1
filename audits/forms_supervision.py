"""The forms of the supervision pages: orders, replies, interviews, accountability and bulletins, and their filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.choices import AccountabilityForm
from audits.models import Accountability, Bulletin, Interview, SupervisionOrder
from audits.selectors.supervision import NOT_REPLIED, REPLIED
from organisation.forms import choice_of, date_field, filter_field, model_field, styled
from organisation.models import Town


class ItemsField(forms.ModelMultipleChoiceField):
    """Ledger items chosen by their number, town and problem."""

    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.town.name} · {obj.description[:40]}"


def items_field(queryset, *, required: bool = True) -> ItemsField:
    field = ItemsField(queryset, label=_("Items"), required=required)
    field.widget.attrs["size"] = 10
    return styled(field)


class OrderFilterForm(forms.Form):
    town = filter_field(choice_of(Town.objects.none(), _("Town")))
    replied = filter_field(
        forms.ChoiceField(
            label=_("Reply"),
            choices=[("", _("Replied or not")), (REPLIED, _("Replied")), (NOT_REPLIED, _("Not replied"))],
        )
    )
    overdue = filter_field(forms.BooleanField(label=_("Reply overdue")))
    issued_from = filter_field(forms.DateField(label=_("Issued from")))
    issued_to = filter_field(forms.DateField(label=_("Issued to")))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class TownFilterForm(forms.Form):
    town = filter_field(choice_of(Town.objects.none(), _("Town")))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class InterviewFilterForm(TownFilterForm):
    held_from = filter_field(forms.DateField(label=_("Held from")))
    held_to = filter_field(forms.DateField(label=_("Held to")))


class OrderIssueForm(forms.Form):
    town = choice_of(Town.objects.all(), _("Addressed town"))
    addressee = model_field(SupervisionOrder, "addressee")
    requirement = model_field(SupervisionOrder, "requirement")
    issued_on = date_field(_("issued on"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"] = items_field(items)


class OrderReplyForm(forms.Form):
    reply = model_field(SupervisionOrder, "reply", required=True)
    replied_on = date_field(_("replied on"))


class InterviewForm(forms.Form):
    town = choice_of(Town.objects.all(), _("Town"))
    interviewee_name = model_field(Interview, "interviewee_name")
    interviewee_post = model_field(Interview, "interviewee_post")
    interviewee_unit = model_field(Interview, "interviewee_unit")
    interviewer = model_field(Interview, "interviewer")
    held_on = model_field(Interview, "held_on")
    minutes = model_field(Interview, "minutes")
    commitments = model_field(Interview, "commitments")
    new_deadline = model_field(Interview, "new_deadline")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"] = items_field(items)


class AccountabilityRecordForm(forms.Form):
    person_name = model_field(Accountability, "person_name")
    person_post = model_field(Accountability, "person_post")
    unit = model_field(Accountability, "unit")
    town = choice_of(Town.objects.all(), _("Town"), required=False)
    form = model_field(Accountability, "form")
    decided_on = model_field(Accountability, "decided_on")
    document_number = model_field(Accountability, "document_number")
    reason = model_field(Accountability, "reason")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"] = items_field(items, required=False)


class AccountabilityFilterForm(TownFilterForm):
    form = filter_field(forms.ChoiceField(label=_("Form"), choices=[("", _("Any form")), *AccountabilityForm.choices]))


class BulletinForm(forms.Form):
    # Only narrows the items offered (a bulletin names units and items of any town).
    town = choice_of(Town.objects.all(), _("Town of the items"), required=False)
    title = model_field(Bulletin, "title")
    body = model_field(Bulletin, "body")
    units = model_field(Bulletin, "units")
    published_on = date_field(_("published on"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"] = items_field(items, required=False)
