"""The form kit of every app: one way to style a field, and one way to put a service's refusal on a form.

- ``styled(field, small=False)``: the Bootstrap 5 classes of the field's widget (``small`` in a list's filter bar),
  a date as a YYYY-MM-DD text box;
- ``model_field(model, name, **overrides)``: the form field of a model field, labelled by its verbose name, styled;
  ``model_fields_form(model, *names)``: a form of such fields;
- ``date_field``, ``choice_of``: a styled date and a styled choice among records; ``filter_field``: a field of a
  list's filter bar;
- ``StyledFormMixin``: every field of a form styled at once (model forms, forms of plain fields);
- ``service_errors_to_form(form, error)``: a service's ``ValidationError`` shown on the form.

Form pages take these through ``organisation.steps.ServiceFormView``.
"""

from collections.abc import Mapping

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from organisation.models import Village

DATE_FORMAT = "%Y-%m-%d"


# A date is typed as YYYY-MM-DD: a browser's own date picker shows the browser's locale (mm/dd/yyyy in an English
# browser), which a Chinese user does not read as a date.
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
DATE_PLACEHOLDER = "2018-01-31"


def date_input() -> forms.DateInput:
    """A text box that shows and takes YYYY-MM-DD whatever the language of the browser."""
    attrs = {"type": "text", "inputmode": "numeric", "pattern": DATE_PATTERN, "placeholder": DATE_PLACEHOLDER}
    return forms.DateInput(attrs=attrs, format=DATE_FORMAT)


class QuickSelect(forms.Select):
    """A select whose options are written in Python, the same HTML as Django's template writes: Django renders a
    template per option, and a filter of a few hundred allocations or towns cost 50-100 ms of a list page
    (bin/loadtest). Choices in groups are left to Django's own rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = self._choices_read()
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            options.append(f'<option value="{escape(option_value)}"{selected}>{conditional_escape(label)}</option>')
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>\n' + "\n".join(options) + "\n</select>"
        )

    def _choices_read(self) -> list:
        """The choices. A ModelChoiceIterator reads its queryset with ``iterator()``, on PostgreSQL a server-side
        cursor, WITH HOLD outside a transaction: the whole result kept on the server, three statements. Its records
        are read here in one plain query instead, with the same labels and values."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return [choice for choice in choices]
        field = choices.field
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + [choices.choice(record) for record in choices.queryset]


def styled(field: forms.Field, *, small: bool = False) -> forms.Field:
    """The field with the page's widget classes; a class given with the widget stays."""
    if isinstance(field, forms.DateField) and "type" not in field.widget.attrs:
        field.widget = date_input()
        field.input_formats = [DATE_FORMAT]
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        # includes/field.html draws boxes and radios itself; the class serves a template that shows the widget.
        widget.attrs.setdefault("class", "form-check-input")
        return field
    if type(widget) is forms.Select:
        widget.__class__ = QuickSelect
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    widget.attrs.setdefault("class", css)
    if small:
        widget.attrs["class"] += f" {css}-sm"
    return field


def model_field(model, name: str, **overrides) -> forms.Field:
    """The form field of a model field, labelled by its verbose name (so a field is named the same on the form, in its
    error and in the history); a text field three rows high."""
    field = model._meta.get_field(name).formfield(**overrides)
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 3
    return styled(field)


def model_fields_form(model, *names: str) -> type[forms.Form]:
    """A form of the named fields of ``model``, each as ``model_field`` makes it: the typed input of a service that
    takes those fields as they are."""
    fields = {name: model_field(model, name) for name in names}
    return type(forms.Form)(f"{model.__name__}Form", (forms.Form,), fields)


def date_field(label, **kwargs) -> forms.DateField:
    return styled(forms.DateField(label=label, **kwargs))


def choice_of(queryset, label, **kwargs) -> forms.ModelChoiceField:
    """A choice among records; the form usually sets ``queryset`` in ``__init__`` from what the user reaches."""
    return styled(forms.ModelChoiceField(queryset, label=label, **kwargs))


# The years a page may be asked for in its query string: wider than any record's, narrow enough for every date.
QUERY_YEARS = range(1900, 2201)
# The integers a filter accepts when its field sets no bounds: what a PostgreSQL integer column holds.
FILTER_INT_RANGE = (-(2**31), 2**31 - 1)


def filter_field(field: forms.Field) -> forms.Field:
    """A field of a list's filter bar: small, and never required (left empty, it does not filter). An integer field
    without bounds gets an integer column's, so ``?year=99999999999999999999999`` is an invalid filter, not a 500."""
    field.required = False
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
        if field.min_value is None:
            field.min_value = FILTER_INT_RANGE[0]
            field.validators.append(validators.MinValueValidator(FILTER_INT_RANGE[0]))
        if field.max_value is None:
            field.max_value = FILTER_INT_RANGE[1]
            field.validators.append(validators.MaxValueValidator(FILTER_INT_RANGE[1]))
    return styled(field, small=True)


def query_year(params: Mapping[str, str], name: str = "year", default: int | None = None) -> int | None:
    """The year a page reads from its query string (``request.GET``); a value that is no year of ``QUERY_YEARS``
    (``99999``, ``-1``, a NUL, 23 digits) is ignored: ``default``. Never raises."""
    value = str(params.get(name) or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 4 and int(value) in QUERY_YEARS:
        return int(value)
    return default


class StyledFormMixin:
    """Every field of the form styled (``styled``), for forms that declare plain fields or are model forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            styled(field)


class PasswordChangeStyledForm(StyledFormMixin, PasswordChangeForm):
    """Django's password change (old password, new one twice, checked by AUTH_PASSWORD_VALIDATORS), styled."""


def service_errors_to_form(form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form: by field where the form has the field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class VillageForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "is_key_village"]
