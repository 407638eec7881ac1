"""The calendar in the admin: every save and delete goes through the calendar services, so deadlines follow."""

from django.contrib import admin

from organisation.calendar_forms import CalendarDayForm
from organisation.calendar_services import (
    calendar_day_delete,
    calendar_day_save,
    calendar_year_delete,
    calendar_year_mark,
)
from organisation.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "kind", "name", "note", "updated_by", "updated_at"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    search_fields = ["name", "note", "date"]
    date_hierarchy = "date"
    list_select_related = ["updated_by"]
    readonly_fields = ["updated_by", "updated_at"]
    # Each deletion must recompute deadlines through the service.
    actions = None

    def save_model(self, request, obj, form, change):
        saved = calendar_day_save(
            day=obj if change else None,
            date=obj.date,
            kind=obj.kind,
            name=obj.name,
            note=obj.note,
            user=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_delete(user=request.user, day=obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    fields = ["year", "source", "note", "entered_by", "entered_at"]
    list_display = ["year", "source", "entered_by", "entered_at"]
    search_fields = ["year", "source", "note"]
    list_select_related = ["entered_by"]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        # Moving a mark to another year would be two changes at once: delete it and add the other year.
        return ["year", "entered_by", "entered_at"] if obj else ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        saved = calendar_year_mark(year=obj.year, source=obj.source, note=obj.note, user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_year_delete(user=request.user, calendar_year=obj)
