from django.contrib import admin

from funds.models import FundsPolicy
from funds.services.policy import funds_policy_save
from organisation.admin import ReferenceDataAdmin


@admin.register(FundsPolicy)
class FundsPolicyAdmin(ReferenceDataAdmin):
    """The one row of figures the district office sets: report due day, loan processing limit and caps."""

    ordering = ["pk"]
    search_fields = []
    list_display = [
        "__str__",
        "report_due_working_day",
        "loan_processing_working_days",
        "loan_max_amount",
        "loan_max_term_months",
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not FundsPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        FundsPolicy.objects.get_or_create(pk=1)  # the row exists before the office first opens the list
        return super().get_queryset(request)

    def save_model(self, request, obj, form, change):
        funds_policy_save(user=request.user, policy=obj, changed=form.changed_data)
