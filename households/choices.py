"""The codes of the national poor-household register form (贫困户登记表), as township sheets use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentificationStandard(models.TextChoices):  # A1
    NATIONAL = "national", _("National standard")
    PROVINCIAL = "provincial", _("Provincial standard")
    CITY = "city", _("City standard")


class HouseholdAttribute(models.TextChoices):  # A2
    ORDINARY = "ordinary", _("Ordinary poor household")
    DIBAO = "dibao", _("Minimum-allowance (dibao) household")
    FIVE_GUARANTEE = "five_guarantee", _("Five-guarantee household")
    DIBAO_POOR = "dibao_poor", _("Dibao poor household")


class PovertyCause(models.TextChoices):  # A3a / A3b
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Schooling")
    DISASTER = "disaster", _("Disaster")
    NO_LAND = "no_land", _("Lack of land")
    NO_WATER = "no_water", _("Lack of water")
    NO_SKILLS = "no_skills", _("Lack of skills")
    NO_LABOUR = "no_labour", _("Lack of labour")
    NO_FUNDS = "no_funds", _("Lack of funds")
    POOR_TRANSPORT = "poor_transport", _("Poor transport")
    LACK_OF_DRIVE = "lack_of_drive", _("Lack of drive to develop")
    OTHER = "other", _("Other")


class HouseholdStatus(models.TextChoices):
    NOT_OUT = "not_out", _("Not yet out of poverty")
    OUT_CONTINUING = "out_continuing", _("Out of poverty, policies continue")
    OUT_ENDED = "out_ended", _("Out of poverty, policies ended")
    RETURNED = "returned", _("Returned to poverty")
    MARGINAL = "marginal", _("Marginal household")


OUT_OF_POVERTY = (HouseholdStatus.OUT_CONTINUING, HouseholdStatus.OUT_ENDED)


class ReturnCause(models.TextChoices):  # point 12: a near-line household falls back through illness or disaster
    ILLNESS = "illness", _("Illness")
    DISASTER = "disaster", _("Disaster")


class Relation(models.TextChoices):  # A7
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
    SON_IN_LAW = "son_in_law", _("Son-in-law")
    GRANDSON = "grandson", _("Grandson")
    GRANDDAUGHTER = "granddaughter", _("Granddaughter")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):  # A5, derived from the ID number
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Health(models.TextChoices):  # A11
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class LabourAbility(models.TextChoices):  # A12
    ORDINARY = "ordinary", _("Ordinary labour")
    SKILLED = "skilled", _("Skilled labour")
    LOST = "lost", _("Lost the ability to work")
    NONE = "none", _("No labour (child, elderly)")


class SchoolStage(models.TextChoices):  # A10
    NOT_IN_SCHOOL = "", _("Not in school")
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    VOCATIONAL = "vocational", _("Secondary vocational")
    HIGHER = "higher", _("Higher education")


class HousingGrade(models.TextChoices):  # housing safety appraisal; C and D are dilapidated (危房)
    A = "A", _("Grade A (safe)")
    B = "B", _("Grade B (basically safe)")
    C = "C", _("Grade C (dilapidated, local danger)")
    D = "D", _("Grade D (dilapidated, whole house dangerous)")


UNSAFE_GRADES = (HousingGrade.C, HousingGrade.D)


class HousingStructure(models.TextChoices):  # A22
    REINFORCED_CONCRETE = "reinforced_concrete", _("Reinforced concrete")
    BRICK_CONCRETE = "brick_concrete", _("Brick and concrete")
    BRICK_WOOD = "brick_wood", _("Brick and wood")
    CAVE = "cave", _("Cave dwelling")
    EARTH_BAMBOO = "earth_bamboo", _("Earth, grass or bamboo")
    OTHER = "other", _("Other")


class WaterSource(models.TextChoices):
    TAP = "tap", _("Treated tap water")
    PROTECTED_WELL = "protected_well", _("Protected well or spring")
    UNPROTECTED_WELL = "unprotected_well", _("Unprotected well or spring")
    RIVER = "river", _("River or lake")
    RAINWATER = "rainwater", _("Rainwater")
    OTHER = "other", _("Other")
