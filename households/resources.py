"""django-import-export resources for the household sheet, with the register form's Chinese column headers.

They give the downloadable template its columns and are the baseline ``benchmark_import`` measures the
fast pipeline (``households.importing``) against. The sheet has one row per member: ``HouseholdResource``
reads its household columns, ``MemberResource`` its member columns.
"""

import io

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from households import importing
from households.id_numbers import id_number_parse
from households.models import Household, Member
from households.rules import REGISTER_START_YEAR
from organisation.models import Village

H = importing.HEADER


class LabelWidget(widgets.Widget):
    """A code shown as the register form's word (因病 for ``illness``)."""

    def __init__(self, labels: dict, *, blank=None):
        super().__init__(coerce_to_string=False)
        self.labels = labels
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        text = importing.cell_text(value)
        if not text and self.blank is not None:
            return self.blank
        try:
            return self.labels[text]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not an allowed value; write one of: %(allowed)s.")
                % {"value": text, "allowed": "、".join(self.labels)}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return importing.label_of(self.labels, value)


class CausesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        cause = LabelWidget(importing.CAUSE_LABELS)
        return [cause.clean(word) for word in importing.cell_text(value).replace("，", "、").split("、") if word]

    def render(self, value, obj=None, **kwargs):
        return "、".join(importing.label_of(importing.CAUSE_LABELS, code) for code in value or [])


class TextWidget(widgets.CharWidget):
    """Text, also when Excel kept the cell as a number (file numbers, phones)."""

    def clean(self, value, row=None, **kwargs):
        return importing.cell_text(value)


class VillageWidget(widgets.ForeignKeyWidget):
    """The village by its name within the town the row names."""

    def __init__(self):
        super().__init__(Village, "name")

    def get_lookup_kwargs(self, value, row=None, **kwargs):
        return {"name": importing.cell_text(value), "town__name": importing.cell_text((row or {}).get(H["town"]))}


class IdNumberWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return id_number_parse(importing.cell_text(value)).number


class HouseholdResource(resources.ModelResource):
    file_number = fields.Field("file_number", H["file_number"], widget=TextWidget())
    town = fields.Field("village__town__name", H["town"], readonly=True)
    village = fields.Field("village", H["village"], widget=VillageWidget())
    group = fields.Field("group", H["group"], widget=TextWidget())
    identification_standard = fields.Field(
        "identification_standard", H["identification_standard"], widget=LabelWidget(importing.IDENTIFICATION_LABELS)
    )
    attribute = fields.Field("attribute", H["attribute"], widget=LabelWidget(importing.ATTRIBUTE_LABELS))
    main_cause = fields.Field("main_cause", H["main_cause"], widget=LabelWidget(importing.CAUSE_LABELS))
    other_causes = fields.Field("other_causes", H["other_causes"], widget=CausesWidget())
    year_identified = fields.Field("year_identified", H["year_identified"], widget=widgets.IntegerWidget())
    phone = fields.Field("phone", H["phone"], widget=TextWidget())
    bank_name = fields.Field("bank_name", H["bank_name"], widget=TextWidget())
    bank_account = fields.Field("bank_account", H["bank_account"], widget=TextWidget())

    class Meta:
        model = Household
        fields = (
            "file_number", "town", "village", "group", "identification_standard", "attribute", "main_cause",
            "other_causes", "year_identified", "phone", "bank_name", "bank_account",
        )  # fmt: skip
        import_id_fields = ("file_number",)


class MemberResource(resources.ModelResource):
    household = fields.Field(
        "household", H["file_number"], widget=widgets.ForeignKeyWidget(Household, "file_number"), readonly=False
    )
    name = fields.Field("name", H["name"], widget=TextWidget())
    id_number = fields.Field("id_number", H["id_number"], widget=IdNumberWidget())
    sex = fields.Field("sex", H["sex"], widget=LabelWidget(importing.SEX_LABELS), readonly=True)
    relation = fields.Field("relation", H["relation"], widget=LabelWidget(importing.RELATION_LABELS))
    ethnicity = fields.Field("ethnicity", H["ethnicity"], widget=TextWidget())
    education = fields.Field("education", H["education"], widget=TextWidget())
    school_stage = fields.Field(
        "school_stage", H["school_stage"], widget=LabelWidget(importing.SCHOOL_LABELS, blank="")
    )
    health = fields.Field("health", H["health"], widget=LabelWidget(importing.HEALTH_LABELS))
    labour_ability = fields.Field("labour_ability", H["labour_ability"], widget=LabelWidget(importing.LABOUR_LABELS))
    migrant_worker = fields.Field("migrant_worker", H["migrant_worker"], widget=LabelWidget(importing.YES_NO))
    in_dibao = fields.Field("in_dibao", H["in_dibao"], widget=LabelWidget(importing.YES_NO))
    medical_insurance = fields.Field("medical_insurance", H["medical_insurance"], widget=LabelWidget(importing.YES_NO))
    pension_insurance = fields.Field("pension_insurance", H["pension_insurance"], widget=LabelWidget(importing.YES_NO))

    class Meta:
        model = Member
        fields = (
            "household", "name", "id_number", "sex", "relation", "ethnicity", "education", "school_stage", "health",
            "labour_ability", "migrant_worker", "in_dibao", "medical_insurance", "pension_insurance",
        )  # fmt: skip
        import_id_fields = ("id_number",)

    def before_save_instance(self, instance, row, **kwargs):
        # Sex and birth date are what the ID number says.
        resident = id_number_parse(instance.id_number)
        instance.birth_date, instance.sex = resident.birth_date, resident.sex


def sheet_headers() -> list[str]:
    """The sheet's columns: the household columns, then the member columns (户编号 once)."""
    household = HouseholdResource().get_export_headers()
    member = [header for header in MemberResource().get_export_headers() if header not in household]
    return household + member


def template_workbook() -> bytes:
    """The import template: the headers and one example row, and a sheet of the allowed values."""
    headers = sheet_headers()
    columns = {column.header: column for column in importing.COLUMNS}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "家庭成员"
    sheet.append(headers)
    sheet.append([columns[header].example for header in headers])
    required = PatternFill("solid", fgColor="FDE9D9")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        column = columns[cell.value]
        if not column.blank_ok:
            cell.fill = required
        sheet.column_dimensions[cell.column_letter].width = max(10, 2.2 * len(cell.value) + 2)
    sheet.column_dimensions["A"].width = 20
    sheet.freeze_panes = "A2"

    allowed = workbook.create_sheet("填写说明")
    allowed.append([_("Column"), _("Required"), _("Allowed values")])
    for header in headers:
        column = columns[header]
        if column.labels:
            words = "、".join(label for label in column.labels if label)
        elif column.key == "id_number":
            words = _("18 characters; a final x is read as X. Sex and birth date are taken from it.")
        elif column.key == "year_identified":
            words = _("A year from %(first)d on.") % {"first": REGISTER_START_YEAR}
        elif column.key == "town":
            words = _("The town the file is imported into.")
        elif column.key == "village":
            words = _("A village or community of that town, by name or division code.")
        elif column.key == "file_number":
            words = _("Repeat it on every member row of the household.")
        else:
            words = ""
        allowed.append([header, _("yes") if not column.blank_ok else _("no"), words])
    allowed.column_dimensions["A"].width = 20
    allowed.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
