from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from organisation.account_views import PasswordChangeDonePage, PasswordChangePage
from reporting.views import dashboards as dashboard_views

admin.site.site_header = "兰山区扶贫工作管理系统"
admin.site.site_title = "兰山区扶贫工作管理系统"

urlpatterns = [
    # Each post's own dashboard; the organisation's page for a user with no post (reporting.views.dashboards).
    path("", dashboard_views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChangePage.as_view(), name="password_change"),
    path("account/password/done/", PasswordChangeDonePage.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organisation/", include("organisation.urls")),
    path("households/", include("households.urls")),
    path("funds/", include("funds.urls")),
    path("projects/", include("projects.urls")),
    path("audits/", include("audits.urls")),
    path("partners/", include("partners.urls")),
    path("reporting/", include("reporting.urls")),
    path("public/", include("reporting.public_urls")),
    path("public/evaluation/", include("partners.public_urls")),
    path("notifications/", include("notifications.urls")),
    path("history/", include("history.urls")),
    path("jobs/", include("jobs.urls")),
    path("admin/", admin.site.urls),
]
