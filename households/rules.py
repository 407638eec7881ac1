"""The household rules of the work plan (兰扶办发〔2018〕1号) and of the register, each in one place.

The constants are the work plan's figures; ``EXIT_STANDARDS`` is the exit standard (两不愁三保障 and safe
drinking water), each of its checks one condition that the exit checklist
(``households.selectors.lifecycle.household_exit_checklist``) evaluates for one household and the ``exit_*``
data-quality rules (``households.quality_rules``) evaluate for the whole district, so the two cannot disagree
(``tests/households/test_exit_standards.py`` proves it).
"""

from decimal import Decimal

from households.choices import OUT_OF_POVERTY, UNSAFE_GRADES, HouseholdStatus, HousingGrade, SchoolStage, WaterSource

# The national register of poor households (建档立卡) began in 2014: no household was identified earlier, no
# record of the register (a safety net, a sample, a survey) is older. Point 3 of the work plan takes the same
# year for the projects ("2014年以来建成的项目").
REGISTER_START_YEAR = 2014
# Identification in 2014 looked at the income of 2013; no earlier income belongs in the file.
FIRST_INCOME_YEAR = REGISTER_START_YEAR - 1

# Point 12: a household may return to poverty (因病因灾) only from a status in which it was not counted as poor.
MAY_RETURN_FROM = (*OUT_OF_POVERTY, HouseholdStatus.MARGINAL)

# Point 9: "实现贫困群众在定点医疗机构住院自付费用低于10%": at a designated hospital the self-paid share must
# stay *under* 10%, so a share of 10.00% is flagged.
SELF_PAY_LIMIT = Decimal("10.00")
# Point 9: "继续为未脱贫和脱贫仍享受政策的贫困人口购买扶贫特惠保": the insurance is bought for people not yet out
# of poverty and for those out whose policies continue.
INSURED_STATUSES = (HouseholdStatus.NOT_OUT, HouseholdStatus.OUT_CONTINUING)

# Point 11: a left-behind child (留守儿童) is under 16.
LEFT_BEHIND_AGE_LIMIT = 16

# The exit standard's figures.
# Compulsory education (义务教育): a child aged 6 to 15 counts as in school at any stage, since a six-year-old
# may still be in pre-school and a fifteen-year-old already in senior secondary school. The dropout-prevention
# list of point 11 (控辍保学) watches the same ages.
COMPULSORY_SCHOOL_AGES = range(6, 16)
COMPULSORY_STAGES = tuple(stage for stage in SchoolStage if stage != SchoolStage.NOT_IN_SCHOOL)
# Safe housing: an appraised house that is not dilapidated (危房: grades C and D, point 10) is safe.
SAFE_GRADES = tuple(grade for grade in HousingGrade if grade not in UNSAFE_GRADES)
# Safe drinking water: treated tap water or a protected well or spring.
SAFE_WATER_SOURCES = (WaterSource.TAP, WaterSource.PROTECTED_WELL)
