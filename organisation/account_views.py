"""A user's own account: changing the password, on the site's layout (Django's views, with its validators)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy

from organisation.forms import PasswordChangeStyledForm


class PasswordChangePage(LoginRequiredMixin, auth_views.PasswordChangeView):
    """Every user's, for their own password only: no record of anyone else's."""

    record_free = True
    form_class = PasswordChangeStyledForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDonePage(LoginRequiredMixin, auth_views.PasswordChangeDoneView):
    record_free = True
    template_name = "registration/password_change_done.html"
