"""The sheet's columns, in the register form's order, and the register form's words for each code.

Township sheets write the form's Chinese headers and words; the template, the import-export resources and the
exports use the same ones.
"""

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from households.choices import (
    Health,
    HouseholdAttribute,
    IdentificationStandard,
    LabourAbility,
    PovertyCause,
    Relation,
    SchoolStage,
    Sex,
)

# The register form's words for each code, as township sheets write them. The first word of a code
# is the one the template and exports use; the others are variants found in the form's field notes.

IDENTIFICATION_LABELS = {
    "国家标准": IdentificationStandard.NATIONAL,
    "省定标准": IdentificationStandard.PROVINCIAL,
    "市定标准": IdentificationStandard.CITY,
}
ATTRIBUTE_LABELS = {
    "一般贫困户": HouseholdAttribute.ORDINARY,
    "低保户": HouseholdAttribute.DIBAO,
    "五保户": HouseholdAttribute.FIVE_GUARANTEE,
    "低保贫困户": HouseholdAttribute.DIBAO_POOR,
}
CAUSE_LABELS = {
    "因病": PovertyCause.ILLNESS,
    "因残": PovertyCause.DISABILITY,
    "因学": PovertyCause.SCHOOLING,
    "因灾": PovertyCause.DISASTER,
    "缺土地": PovertyCause.NO_LAND,
    "缺水": PovertyCause.NO_WATER,
    "缺技术": PovertyCause.NO_SKILLS,
    "缺劳力": PovertyCause.NO_LABOUR,
    "缺资金": PovertyCause.NO_FUNDS,
    "交通条件落后": PovertyCause.POOR_TRANSPORT,
    "自身发展动力不足": PovertyCause.LACK_OF_DRIVE,
    "其它": PovertyCause.OTHER,
    "其他": PovertyCause.OTHER,
}
RELATION_LABELS = {
    "户主": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "之子": Relation.SON,
    "之女": Relation.DAUGHTER,
    "之儿媳": Relation.DAUGHTER_IN_LAW,
    "之女婿": Relation.SON_IN_LAW,
    "之孙子": Relation.GRANDSON,
    "之外孙子": Relation.GRANDSON,
    "之孙女": Relation.GRANDDAUGHTER,
    "之外孙女": Relation.GRANDDAUGHTER,
    "之父母": Relation.PARENT,
    "之父": Relation.PARENT,
    "之母": Relation.PARENT,
    "之岳父": Relation.PARENT,
    "之岳母": Relation.PARENT,
    "之公公": Relation.PARENT,
    "之婆婆": Relation.PARENT,
    "之祖父母": Relation.GRANDPARENT,
    "之祖父": Relation.GRANDPARENT,
    "之祖母": Relation.GRANDPARENT,
    "之外祖父": Relation.GRANDPARENT,
    "之外祖母": Relation.GRANDPARENT,
    "之兄弟姐妹": Relation.SIBLING,
    "之兄弟": Relation.SIBLING,
    "之姐妹": Relation.SIBLING,
    "其他": Relation.OTHER,
    "其它": Relation.OTHER,
}
HEALTH_LABELS = {
    "健康": Health.HEALTHY,
    "长期慢性病": Health.CHRONIC,
    "患有大病": Health.SERIOUS,
    "残疾": Health.DISABLED,
}
LABOUR_LABELS = {
    "普通劳动力": LabourAbility.ORDINARY,
    "技能劳动力": LabourAbility.SKILLED,
    "丧失劳动力": LabourAbility.LOST,
    "无劳动力": LabourAbility.NONE,
}
SCHOOL_LABELS = {
    "非在校生": SchoolStage.NOT_IN_SCHOOL,
    "学前教育": SchoolStage.PRESCHOOL,
    "小学": SchoolStage.PRIMARY,
    "初中": SchoolStage.JUNIOR,
    "七年级": SchoolStage.JUNIOR,
    "八年级": SchoolStage.JUNIOR,
    "九年级": SchoolStage.JUNIOR,
    "高中": SchoolStage.SENIOR,
    "中职": SchoolStage.VOCATIONAL,
    "高等教育": SchoolStage.HIGHER,
    "高职": SchoolStage.HIGHER,
    "大专": SchoolStage.HIGHER,
    "本科及以上": SchoolStage.HIGHER,
}
# 文化程度 is stored as the form's words (the model keeps it as text).
EDUCATION_LEVELS = ("文盲或半文盲", "小学", "初中", "高中", "大专及以上", "学龄前儿童")
YES_NO = {"是": True, "否": False}
SEX_LABELS = {"男": Sex.MALE, "女": Sex.FEMALE}


def label_of(labels: dict[str, Any], code) -> str:
    """The register form's word for ``code`` (the first one listed)."""
    return next((label for label, value in labels.items() if value == code), "")


# The sheet: its columns, in the register form's order.


@dataclass(frozen=True)
class Column:
    header: str  # as township sheets write it (Chinese, never translated)
    key: str
    household: bool  # a household column, repeated on every member row of the household
    required: bool = True  # the column must be in the sheet
    blank_ok: bool = False  # its cells may be empty
    labels: dict[str, Any] | None = None  # the allowed words, for codes
    example: Any = ""


COLUMNS = (
    Column("户编号", "file_number", True, example="3713020001000001"),
    Column("镇（街道）", "town", True, example="汪沟镇"),
    Column("村（社区）", "village", True, example="王家庄村"),
    Column("村民小组", "group", True, blank_ok=True, example="第一村民小组"),
    Column("识别标准", "identification_standard", True, labels=IDENTIFICATION_LABELS, example="国家标准"),
    Column("贫困户属性", "attribute", True, labels=ATTRIBUTE_LABELS, example="一般贫困户"),
    Column("主要致贫原因", "main_cause", True, labels=CAUSE_LABELS, example="因病"),
    Column("其他致贫原因", "other_causes", True, blank_ok=True, labels=CAUSE_LABELS, example="缺资金、缺技术"),
    Column("识别年度", "year_identified", True, example=2015),
    Column("联系电话", "phone", True, blank_ok=True, example="13805390000"),
    Column("开户银行", "bank_name", True, required=False, blank_ok=True, example="兰山农商银行"),
    Column("银行账号", "bank_account", True, required=False, blank_ok=True, example="6224000000000000000"),
    Column("姓名", "name", False, example="张三"),
    Column("公民身份号码", "id_number", False, example="371302197001010012"),
    Column("性别", "sex", False, required=False, blank_ok=True, labels=SEX_LABELS, example="男"),
    Column("与户主关系", "relation", False, labels=RELATION_LABELS, example="户主"),
    Column("民族", "ethnicity", False, example="汉族"),
    Column("文化程度", "education", False, blank_ok=True, labels=dict.fromkeys(EDUCATION_LEVELS), example="初中"),
    Column("在校生状况", "school_stage", False, blank_ok=True, labels=SCHOOL_LABELS, example="非在校生"),
    Column("健康状况", "health", False, labels=HEALTH_LABELS, example="长期慢性病"),
    Column("劳动能力", "labour_ability", False, labels=LABOUR_LABELS, example="普通劳动力"),
    Column("是否务工", "migrant_worker", False, labels=YES_NO, example="否"),
    Column("是否低保", "in_dibao", False, labels=YES_NO, example="否"),
    Column("是否参加新农合", "medical_insurance", False, labels=YES_NO, example="是"),
    Column("是否参加养老保险", "pension_insurance", False, labels=YES_NO, example="是"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HEADER = {key: column.header for key, column in COLUMN_BY_KEY.items()}


# The codes as plain values (an enum's value, not the enum): staged rows are formatted for COPY by type.
CODES = {
    column.key: {label: code.value if isinstance(code, Enum) else code for label, code in column.labels.items()}
    for column in COLUMNS
    if column.labels
}


def header_normalise(value) -> str:
    """Township sheets mark required columns with * and mix half- and full-width brackets."""
    text = re.sub(r"[\s*＊]", "", str(value or ""))
    return text.replace("(", "（").replace(")", "）")
