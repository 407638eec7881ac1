"""The enums of the people-and-partners records, shared by the models and the rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The three years of the action plans (《2018-2020 脱贫攻坚三年行动方案》).
PLAN_YEARS = (2018, 2019, 2020)


class SupportKind(models.TextChoices):
    """What a department gave a paired village (人力财力物力)."""

    PEOPLE = "people", _("People")
    MONEY = "money", _("Money")
    MATERIALS = "materials", _("Materials")


class ForceKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL = "individual", _("Individual")


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Donation of money")
    GOODS = "goods", _("Goods in kind")
    HOURS = "hours", _("Volunteer hours")


class CommendationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", pgettext_lazy("commendation", "Approved")
    REJECTED = "rejected", pgettext_lazy("commendation", "Rejected")


class TrainingLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town")


class TrainingTopic(models.TextChoices):
    """The topics of point 18: 扶贫政策、资金资产管理、项目实施、问题整改、风险防范."""

    POLICY = "policy", _("Poverty-alleviation policy")
    FUNDS_ASSETS = "funds_assets", _("Funds and asset management")
    PROJECTS = "projects", _("Project implementation")
    RECTIFICATION = "rectification", _("Rectification of problems")
    RISK = "risk", _("Risk prevention")


class ResponsibilityLevel(models.TextChoices):
    """Point 18: 细化区镇村、帮扶干部、行业部门工作责任."""

    DISTRICT = "district", _("District")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    CADRE = "cadre", _("Assistance cadre")
    DEPARTMENT = "department", _("Sector department")


class EvaluationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", pgettext_lazy("evaluation", "Not published")
