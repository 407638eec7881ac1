"""The people-and-partners records in the admin site, for the district office's corrections; writes with rules go
through the pages and their services."""

from django.contrib import admin

from partners import models as m

for model in (
    m.Department,
    m.PlanTarget,
    m.TargetProgress,
    m.Pairing,
    m.PairingSupport,
    m.FirstSecretary,
    m.WorkTeamMember,
    m.SocialForce,
    m.Contribution,
    m.PovertyDayActivity,
    m.Commendation,
    m.ResponsibilityRules,
    m.Responsibility,
    m.TrainingSession,
    m.TrainingAttendance,
    m.PublicEvaluation,
):
    admin.site.register(model)
