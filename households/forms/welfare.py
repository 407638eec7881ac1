"""Forms of the welfare pages: safety nets (points 8, 9), housing and water (point 10), education (point 11).

Typed input only; the rules are the services' (``households.services.welfare``).
"""

from django import forms
from django.utils.translation import gettext_lazy

from households.choices import HousingGrade
from households.models import (
    DibaoEnrolment,
    EducationAid,
    HospitalStay,
    Household,
    InsuranceScheme,
    LeftBehindChild,
    Member,
    RenovationPlan,
    WaterSample,
    WaterSupplySurvey,
)
from households.models.education import CareRoom
from organisation.forms import choice_of, model_field, model_fields_form, styled

DibaoEnrolmentForm = model_fields_form(DibaoEnrolment, "monthly_amount", "persons", "starts_on", "ends_on")


class DibaoEndForm(forms.Form):
    ends_on = model_field(DibaoEnrolment, "ends_on", required=True)


class InsuranceEnrolForm(forms.Form):
    scheme = choice_of(InsuranceScheme.objects.order_by("-year"), gettext_lazy("Scheme year"), empty_label=None)


HospitalStayForm = model_fields_form(
    HospitalStay, "hospital", "designated", "admitted_on", "discharged_on", "total_cost", "self_paid"
)


class HousingGradeForm(forms.Form):
    housing_grade = model_field(Household, "housing_grade", required=True)
    housing_appraised_on = model_field(Household, "housing_appraised_on", required=True)


RenovationPlanForm = model_fields_form(RenovationPlan, "planned_start", "planned_completion", "subsidy", "note")


class RenovationPlanUpdateForm(RenovationPlanForm):
    completed_on = model_field(RenovationPlan, "completed_on")
    accepted_grade = styled(
        forms.ChoiceField(
            label=RenovationPlan._meta.get_field("accepted_grade").verbose_name,
            choices=[("", "---------"), *HousingGrade.choices],
            required=False,
        )
    )


WaterSurveyForm = model_fields_form(
    WaterSupplySurvey, "year", "households", "centralised_households", "tap_households", "guaranteed_households"
)


# A check box is never required: unticked, the sample failed.
WaterSampleForm = model_fields_form(WaterSample, "sampled_on", "sampling_point", "passed", "note")


EducationAidForm = model_fields_form(EducationAid, "year", "kind", "amount")


class DropoutRiskForm(forms.Form):
    dropout_risk = model_field(Member, "dropout_risk")


LeftBehindChildForm = model_fields_form(
    LeftBehindChild,
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "parents_working_in",
    "contact_card_number",
    "contact_card_issued_on",
    "note",
)


CareRoomForm = model_fields_form(CareRoom, "name", "address", "keeper", "opened_on")
