"""Every write service of every app refuses a user of another town and the read-only audit role, and writes nothing.

The services are found, not listed: every public function of a services module (``<app>/services.py``,
``<app>/services/*.py``, ``<app>/*_services.py``) of every app of the project. Each one is either a write done for a
user, with a case below (what a legitimate user of the first town does on a real record of that town), or listed in
``NOT_ACTING_FOR_A_USER`` with the reason it acts for nobody (a job run by Celery, a read, a check). A new service
function is in neither until someone decides which it is, and ``test_every_service_function_is_a_case_or_says_why_not``
fails until then.

Each case runs three times: by a user of another town (holding the role that does the step, or a town role when the
step is the district's), by the audit bureau, and by the user who does the step in the first town. The first two
must be refused with ``PermissionDenied`` (or, where the scope is the refusal, do nothing) and write nothing: no row of
any table is inserted, updated or deleted in the transaction, even one rolled back later (PostgreSQL's
``pg_stat_xact_user_tables``), and no task is queued. The third must do the step, so the refusals are not those of a
record in the wrong state.
"""

import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from audits.choices import Category as AuditCategory
from audits.choices import LookBackOutcome, Source
from audits.services import ledger, supervision
from audits.services import plans as audits_plans
from audits.services.imports import ledger_import_stopped, ledger_import_upload
from funds.choices import RepaymentInterval
from funds.models import FundsPolicy, Transfer
from funds.services import chain, loans, reports
from households.choices import HouseholdStatus, HousingGrade, Relation, SchoolStage
from households.models import Cadre, Household, ImportJob, ImportStatus, InsuranceScheme
from households.services import lifecycle as household_lifecycle
from households.services import welfare
from notifications.models import Notification
from organisation import calendar_services
from organisation.models import CalendarDay, CalendarDayKind, ExportJob, ExportStatus
from organisation.roles import LEVEL_OF_ROLE, Level, Role
from partners.models import Department, PlanTarget, PublicEvaluation
from partners.services import forces as partners_forces
from partners.services import honours as partners_honours
from partners.services import secretaries as partners_secretaries
from partners.services import sectors as partners_sectors
from partners.services import training as partners_training
from projects.models import (
    Category,
    EncumbranceKind,
    EnterpriseKind,
    IncomeShare,
    IndustryProject,
    InvestmentSource,
    Opinion,
    PlanStatus,
    ProjectStatus,
    RectificationPlan,
    Remedy,
    ReviewDepartment,
)
from projects.services import enterprises, income, parks, proposals, review, rights
from projects.services import lifecycle as project_lifecycle
from tests.factories import audits as audits_factories
from tests.factories.funds import ChainPeople, allocation_for, to_station, to_town_transfer
from tests.factories.households import HouseholdFactory, member_born
from tests.factories.organisation import TownFactory, VillageFactory, post_user
from tests.factories.projects import EnterpriseFactory, ProjectFactory, operating_project
from tests.households.test_import_sheets import sheet_bytes
from tests.permission_checks import app_module_names, project_apps

# The service functions that act for no user, and why.
NOT_ACTING_FOR_A_USER = {
    # Jobs: run by Celery (beat or a task queued by a user's request, checked when it was made) for the district.
    "funds.services.overdue.overdue_scan": "the hourly overdue scan (funds.tasks); a user asks for it by request",
    "funds.services.reports.monthly_reports_ensure": "opens the reports every town owes; run by the overdue scan",
    "audits.services.imports.ledger_import_check": "the background check of a list of problems a user uploaded",
    "audits.services.scan.ledger_scan": "the daily ledger scan (audits.tasks); the office asks for it by request",
    "households.services.imports.import_job_check": "the background check of an upload the user's request made",
    "households.services.imports.import_job_write": "the background write of a job the user confirmed",
    "households.services.imports.import_jobs_resend": "sends the imports left waiting again (the beat sweep)",
    "households.services.imports.import_job_stopped": "the sweep fails a job whose worker died (jobs.heartbeat)",
    "audits.services.imports.ledger_import_stopped": "the sweep fails a check whose worker died (jobs.heartbeat)",
    "households.services.quality.quality_run_stopped": "the sweep fails a run whose worker died (jobs.heartbeat)",
    "organisation.export_services.export_job_stopped": "the sweep fails an export whose worker died (jobs.heartbeat)",
    "reporting.services.reports.work_report_stopped": "the sweep fails a report whose worker died (jobs.heartbeat)",
    "jobs.services.stale_leases_sweep": "the sweep of the jobs whose worker died (jobs.tasks)",
    "households.services.quality.quality_runs_resend": "sends the checks left waiting again (the beat sweep)",
    "audits.services.imports.ledger_imports_resend": "sends the list checks left waiting again (the beat sweep)",
    "reporting.services.reports.work_reports_resend": "sends the reports left waiting again (the beat sweep)",
    "organisation.export_services.export_job_create": "a read: the export holds the asker's own scope, for the asker",
    "organisation.export_services.export_jobs_resend": "sends the exports left waiting again (the beat sweep)",
    "organisation.export_services.export_job_run": "the background write of the export's file (organisation.tasks)",
    "organisation.export_services.export_files_purge": "the nightly deletion of old exports' files (beat)",
    "households.services.retention.import_files_purge": "the nightly deletion of unconfirmed imports' files (beat)",
    "organisation.export_services.unit_of": "a read: the names of the towns the asker works for",
    "households.services.quality.quality_check_run": "the nightly data-quality check (households.tasks)",
    "households.services.quality.quality_run_create": "the run record of the nightly check; users ask by request",
    "projects.services.yields.yield_assessment_run": "the monthly yield job (projects.tasks); users ask by request",
    "reporting.services.summary.summary_build": "the figures' nightly job and refresh (reporting.tasks), the demo",
    "reporting.services.summary.summary_nightly": "the figures' nightly job (reporting.tasks)",
    "reporting.services.summary.summary_refresh": "the figures' ten-minute refresh (reporting.tasks)",
    "reporting.services.summary.figures_compute": "reads the raw tables; summary_build stores what it returns",
    "reporting.services.summary.ratio": "arithmetic",
    "reporting.services.reports.work_report_generate": "the report's job (reporting.tasks), asked for by request",
    "reporting.services.reports.work_reports_scheduled": "the daily job of the monthly reports (reporting.tasks)",
    "reporting.services.reports.default_money_unit": "reads a setting",
    "reporting.services.reports.report_working_day": "reads a setting",
    "partners.services.evaluations.evaluation_submit": "the public's evaluation (no login, rate-limited)",
    "history.services.history_checkpoint_write": "the hourly signed checkpoint of the history chain",
    "history.services.history_anchor_append": "appends a checkpoint's head to the anchor file (the checkpoint job)",
    "jobs.services.schedules_ensure": "writes the default beat schedules on migrate",
    "jobs.services.job_run_start": "Celery's task_prerun signal records a job run",
    "jobs.services.job_run_finish": "Celery's task_postrun signal records a job run",
    "jobs.services.worker_heartbeat_record": "a worker's heartbeat",
    "notifications.services.notices_send": "writes the notices a job or service decided to send",
    "notifications.services.notices_grouped": "groups the notices a job decided to send (writes nothing)",
    "notifications.services.notice_group": "builds a grouped notice for notices_grouped (writes nothing)",
    "notifications.services.notice_group_key": "a grouped notice's key (writes nothing)",
    # The post holder, not an actor: posts are given in the admin site (the district office's staff and superusers,
    # organisation/admin.py) and by the demo and benchmark commands.
    "organisation.services.staff_post_assign": "its user is the holder of the post given",
    "organisation.services.staff_post_withdraw": "its user is the holder of the post withdrawn",
    "organisation.services.role_groups_sync": "gives each role's group its model permissions, on migrate",
    "organisation.services.role_group": "the auth group of a role, made on first use by the two above",
    # Checks and reads a write service calls (they write nothing).
    "funds.services.loans.add_months": "date arithmetic of the repayment schedule",
    "funds.services.loans.instalment_months": "arithmetic of the repayment schedule",
    "funds.services.loans.repayment_schedule": "arithmetic of the repayment schedule",
    "households.services.files.where_registered_message": "where a person is registered, as far as ``user`` may know",
    "households.services.imports.import_towns": "the towns a user may import into (read)",
    "audits.services.imports.ledger_import_retryable": "whether an import's page offers a retry (read)",
    "households.services.lifecycle.income_check": "the rules of one year's income",
    "households.services.lifecycle.cadre_managers_check": "the role check of the cadre services",
    "households.services.lifecycle.cadre_limit_reached": "reads a database error",
    "households.services.lifecycle.cadre_full_message": "the message of a full cadre, as far as ``user`` may know",
    "partners.services.evaluations.evaluation_rate_key": "the rate limit's cache key of an address",
    "history.services.checkpoint_signature": "HMAC of a checkpoint",
    "history.services.checkpoint_signature_is_valid": "HMAC check of a checkpoint",
    "notifications.services.staff_of": "who holds which role where (read)",
    "organisation.calendar_services.calendar_year_check": "the calendar's year range",
    "organisation.calendar_services.make_up_workday_problem": "a make-up workday's rule",
    "organisation.calendar_services.calendar_day_check": "a calendar entry's rules, shared with its forms",
    "organisation.calendar_services.schedule_parse": "reads a pasted schedule",
    "organisation.calendar_services.schedule_text": "writes a schedule as text for its form",
    "projects.services.enterprises.enterprise_refuse_if_blacklisted": "the blacklist's check",
    "projects.services.enterprises.credit_code_clean": "the GB 32100 check of a credit code",
    "projects.services.income.distribution_amounts": "arithmetic of a distribution",
    "projects.services.lifecycle.check_date": "the date rule of every step",
    "projects.services.lifecycle.last_change_date": "read",
    "projects.services.lifecycle.status_label": "a status's label",
    "projects.services.lifecycle.locked_for_move": "the role, reach and state check of move_apply (locks, no write)",
    "projects.services.lifecycle.moves_open_to": "the moves a project's page offers (read)",
    "projects.services.proposals.project_total_investment": "read",
    "projects.services.review.publicity_end": "date arithmetic",
    "projects.services.review.current_publicity": "read",
    "projects.services.rights.project_is_built": "read",
    "projects.services.yields.default_period_end": "date arithmetic",
    "projects.services.yields.yield_period_check": "the yield period's rule",
}


def service_modules():
    for config in project_apps():
        for name in app_module_names(config):
            parts = name.split(".")
            if "services" in parts or parts[-1].endswith("_services"):
                yield importlib.import_module(name)


def service_functions() -> dict[str, Callable]:
    found = {}
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found[f"{module.__name__}.{name}"] = function
    return found


# --- The first town's records, made on demand ------------------------------------------------------------------------


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


class World:
    """One town (``town``, ``village``) with records in every state a case needs, each made the first time it is asked
    for, through the real services where a state needs them; and another town, whose users are refused."""

    def __init__(self):
        self.town = TownFactory()
        self.village = VillageFactory(town=self.town)
        self.other_town = TownFactory()
        self.other_village = VillageFactory(town=self.other_town)
        self._users = {}

    def user(self, role: Role, *, elsewhere: bool = False):
        """A user holding ``role`` in the first town (its village for a village clerk), or in the other town."""
        if LEVEL_OF_ROLE[role] == Level.DISTRICT:
            elsewhere = False
        key = (role, elsewhere)
        if key not in self._users:
            town, village = (self.other_town, self.other_village) if elsewhere else (self.town, self.village)
            if LEVEL_OF_ROLE[role] == Level.DISTRICT:
                self._users[key] = post_user(role)
            elif LEVEL_OF_ROLE[role] == Level.TOWN:
                self._users[key] = post_user(role, town=town)
            else:
                self._users[key] = post_user(role, village=village)
        return self._users[key]

    @property
    def staff(self):
        return self.user(Role.TOWN_STAFF)

    @property
    def office(self):
        return self.user(Role.DISTRICT_OFFICE)

    @property
    def station(self):
        return self.user(Role.TOWN_STATION)

    # Households

    def new_household(self, **fields) -> Household:
        household = HouseholdFactory(village=self.village, **fields)
        member_born(household, relation=Relation.HEAD)
        return household

    @cached_property
    def household(self) -> Household:
        return self.new_household()

    @cached_property
    def head(self):
        return self.household.members.get(relation=Relation.HEAD)

    @cached_property
    def child(self):
        return member_born(self.household, ago(10 * 365), school_stage=SchoolStage.PRIMARY)

    @cached_property
    def dibao_enrolment(self):
        return welfare.dibao_enrolment_add(
            user=self.staff, household=self.household, monthly_amount=Decimal("300"), persons=1, starts_on=ago(400)
        )

    @cached_property
    def scheme(self):
        return InsuranceScheme.objects.create(year=timezone.localdate().year, per_capita_funding=Decimal("100"))

    @cached_property
    def unsafe_household(self) -> Household:
        return self.new_household(housing_grade=HousingGrade.C, housing_appraised_on=ago(100))

    @cached_property
    def renovation_plan(self):
        return welfare.renovation_plan_add(
            user=self.staff, household=self.unsafe_household, planned_start=ago(60), planned_completion=ago(-60)
        )

    @cached_property
    def helping_cadre(self) -> Cadre:
        cadre = Cadre.objects.create(name="张伟", work_unit="区农业农村局", phone="13905390000")
        household_lifecycle.cadre_assign(
            user=self.staff, household=self.household, cadre=cadre, starts_on=ago(100), term_ends_on=ago(-365)
        )
        return cadre

    @cached_property
    def free_cadre(self) -> Cadre:
        return Cadre.objects.create(name="李强", work_unit="区财政局", phone="13905390001")

    @cached_property
    def checked_import(self) -> ImportJob:
        return ImportJob.objects.create(
            town=self.town,
            uploaded_by=self.staff,
            file="imports/test.xlsx",
            original_name="test.xlsx",
            status=ImportStatus.CHECKED,
        )

    @cached_property
    def stopped_import(self) -> ImportJob:
        """A check whose worker died (jobs.heartbeat): failed, to be retried."""
        return ImportJob.objects.create(
            town=self.town,
            uploaded_by=self.staff,
            file="imports/test.xlsx",
            original_name="test.xlsx",
            status=ImportStatus.FAILED,
            summary={"retry": "check"},
        )

    @cached_property
    def stopped_export(self) -> ExportJob:
        """An export of the town's staff whose worker died (jobs.heartbeat): failed, to be retried."""
        return ExportJob.objects.create(owner=self.staff, kind="audits.ledger", status=ExportStatus.FAILED)

    # Funds

    @cached_property
    def people(self) -> ChainPeople:
        return ChainPeople(
            district_finance=self.user(Role.DISTRICT_FINANCE),
            town_finance=self.user(Role.TOWN_FINANCE),
            station=self.station,
            clerk=self.user(Role.VILLAGE_CLERK),
            town_staff=self.staff,
        )

    @cached_property
    def allocation(self):
        return allocation_for(
            self.people.district_finance, [(self.town, Decimal("1000"))], amount=Decimal("2000"), received_on=ago(30)
        )

    @cached_property
    def to_station_unsent(self) -> Transfer:
        first = chain.transfer_send(
            user=self.people.district_finance, transfer=to_town_transfer(self.allocation, self.town), sent_on=ago(29)
        )
        chain.transfer_receive(user=self.people.town_finance, transfer=first, received_on=ago(28))
        return Transfer.objects.get(source=first)

    @cached_property
    def to_station_sent(self) -> Transfer:
        return chain.transfer_send(
            user=self.people.town_finance, transfer=self.to_station_unsent, sent_on=ago(27), voucher_number="P-1"
        )

    @cached_property
    def station_holding(self):
        """An allocation whose share the station holds."""
        allocation = allocation_for(self.people.district_finance, [(self.town, Decimal("1000"))], received_on=ago(30))
        to_station(self.people, allocation, self.town, on=ago(25))
        return allocation

    def payment_request(self):
        return chain.payment_request_submit(
            user=self.people.clerk,
            village=self.village,
            allocation=self.station_holding,
            project_name="村集体光伏电站",
            purpose="设备款",
            amount=Decimal("100"),
        )

    @cached_property
    def returned_request(self):
        request = self.payment_request()
        return chain.payment_request_return(user=self.station, request=request, returned_on=ago(0), reason="缺发票")

    def loan(self, status: str):
        household = self.new_household()
        loan = loans.loan_apply(
            user=self.staff,
            household=household,
            borrower=household.members.get(),
            amount=Decimal("10000"),
            term_months=12,
            repayment_interval=RepaymentInterval.MONTHLY,
            purpose="养殖肉牛",
            received_on=ago(40),
        )
        if status in ("approved", "disbursed"):
            loan = loans.loan_decide(user=self.staff, loan=loan, approve=True, decided_on=ago(35))
        if status == "disbursed":
            loan = loans.loan_disburse(user=self.staff, loan=loan, disbursed_on=ago(30), contract_number="HT-1")
        return loan

    def report(self, *, submitted: bool):
        month = (ago(75) if submitted else ago(40)).replace(day=1)
        report = reports.monthly_report_open(user=self.people.town_finance, town=self.town, month=month)
        if submitted:
            report = reports.monthly_report_submit(user=self.people.town_finance, report=report, notes="")
        return report

    # Projects

    @cached_property
    def department(self) -> ReviewDepartment:
        return ReviewDepartment.objects.create(name="区财政局", sort_order=1)

    def project(self, status: str = ProjectStatus.PROPOSAL, **fields) -> IndustryProject:
        """A project of the town written at ``status`` (the moves themselves are the cases)."""
        return ProjectFactory(town=self.town, villages=[self.village], status=status, **fields)

    def proposal(self) -> IndustryProject:
        self.department  # noqa: B018 (the committee must have a member before a proposal is submitted)
        return proposals.project_propose(
            user=self.staff,
            **project_fields(self),
            investments=[(InvestmentSource.CENTRAL, Decimal("800000"))],
            proposed_on=ago(90),
        )

    def under_review(self, opinion: str | None = None) -> IndustryProject:
        project = project_lifecycle.project_submit_for_review(
            user=self.staff, project=self.proposal(), submitted_on=ago(80)
        )
        if opinion:
            review.review_opinion_record(
                user=self.office,
                project=project,
                department=self.department,
                opinion=opinion,
                comments="" if opinion == Opinion.AGREE else "选址不当",
            )
        return project

    def under_publicity(self, starts_on: dt.date):
        project = self.under_review(Opinion.AGREE)
        return review.publicity_open(user=self.office, project=project, starts_on=starts_on)

    @cached_property
    def objection(self):
        publicity = self.under_publicity(ago(3))
        return review.objection_record(user=self.office, publicity=publicity, received_on=ago(2), content="占用耕地")

    @cached_property
    def built(self) -> IndustryProject:
        return operating_project(town=self.town, villages=[self.village], started=ago(400))

    def encumbrance(self, *, approved: bool):
        encumbrance = rights.encumbrance_request(
            user=self.station,
            project=self.built,
            kind=EncumbranceKind.MORTGAGE,
            creditor="兰山农商银行",
            amount=Decimal("100000"),
            purpose="流动资金",
            requested_on=ago(20),
        )
        if approved:
            encumbrance = rights.encumbrance_decide(
                user=self.office, encumbrance=encumbrance, approve=True, decided_on=ago(10)
            )
        return encumbrance

    @cached_property
    def income(self):
        return income.income_record(
            user=self.station,
            project=self.built,
            period_start=ago(100),
            period_end=ago(10),
            amount=Decimal("5000"),
            received_on=ago(5),
            payer="兰山测试农业发展有限公司",
        )

    @cached_property
    def shared_income(self):
        """An income of the built project, whose village holds the whole income right."""
        IncomeShare.objects.create(project=self.built, village=self.village, percent=Decimal("100"))
        return self.income

    @cached_property
    def distributed_income(self):
        income.income_distribute(user=self.station, income=self.shared_income)
        return self.income

    def plan(self, *, written: bool = False, status: str = PlanStatus.DRAFT) -> RectificationPlan:
        """A plan the yield job opened a month ago for the built project: a blank draft, or written at ``status``."""
        plan = RectificationPlan(project=self.built, created_at=timezone.now() - dt.timedelta(days=30), status=status)
        if written:
            plan.remedy, plan.steps, plan.responsible_unit, plan.deadline = (
                Remedy.OTHER,
                "更换经营主体",
                "镇政府",
                ago(-30),
            )
        plan.save()
        return plan

    @cached_property
    def park(self):
        return parks.park_create(user=self.staff, town=self.town, name="汪沟镇扶贫产业园", established_on=ago(300))

    @cached_property
    def enterprise(self):
        return enterprises.enterprise_create(user=self.staff, name="兰山测试食品有限公司", town=self.town)

    @cached_property
    def agreement(self):
        return enterprises.agreement_create(
            user=self.staff,
            enterprise=self.enterprise,
            town=self.town,
            signed_on=ago(400),
            ends_on=ago(-400),
            jobs_committed=5,
        )

    @cached_property
    def blacklisting(self):
        return enterprises.blacklist_add(
            user=self.office, enterprise=EnterpriseFactory(town=self.town), reason="违约", decided_on=ago(10)
        )

    # Audits: the ledger

    @cached_property
    def ledger_item(self):
        """A self-check item of the town's village, raised by its staff today."""
        return audits_factories.item_raised(self.staff, self.town, village=self.village)

    @cached_property
    def clerk_measure(self):
        """A measure of the ledger item assigned to the village's clerk."""
        return ledger.measure_add(
            user=self.staff,
            item=self.ledger_item,
            description="逐户核对",
            owner_unit="村委会",
            due_on=ago(-10),
            owner_user=self.user(Role.VILLAGE_CLERK),
        )

    @cached_property
    def requested_item(self):
        return audits_factories.item_requested(self.staff, self.town, village=self.village)

    @cached_property
    def look_back(self):
        return audits_factories.item_closed(self.staff, self.office, self.town).look_backs.get()

    @cached_property
    def supervision_order(self):
        """An order the district office issued to the town for an item of its own."""
        item = audits_factories.item_raised(self.staff, self.town)
        return supervision.order_issue(
            user=self.office, town=self.town, addressee="镇党委、政府", requirement="限期整改", items=[item]
        )

    @cached_property
    def audit_engagement(self):
        """An engagement of the audit bureau on the town."""
        return audits_plans.engagement_record(
            user=self.user(Role.AUDIT),
            title="镇级扶贫资金审计",
            body="audit_bureau",
            subject_kind="town",
            town=self.town,
            scope="扶贫资金",
            team="审计组",
            starts_on=ago(10),
        )

    @cached_property
    def checked_ledger_import(self):
        """A list of one problem of the town's village, uploaded by the district office and checked."""
        return audits_factories.ledger_import_checked(
            self.office, [audits_factories.ledger_row(self.town, self.village)]
        )

    @cached_property
    def stopped_ledger_import(self):
        """A list uploaded by the district office whose check's worker died: failed, its file kept for a retry."""
        job = ledger_import_upload(
            user=self.office, upload=audits_factories.ledger_sheet_upload([audits_factories.ledger_row(self.town)])
        )
        ledger_import_stopped(job.pk)
        job.refresh_from_db()
        return job

    # Partners

    @cached_property
    def partners_department(self):
        return Department.objects.create(name="区交通运输局")

    @cached_property
    def plan_target(self):
        return PlanTarget.objects.create(
            department=self.partners_department, year=2019, measure="硬化村内道路", unit="公里", target=Decimal("12")
        )

    @cached_property
    def pairing(self):
        return partners_sectors.pairing_add(
            user=self.staff, department=self.partners_department, village=self.village, starts_on=ago(60)
        )

    @cached_property
    def first_secretary(self):
        return partners_secretaries.secretary_appoint(
            user=self.staff, village=self.village, name="刘洋", unit="区财政局", post="科员", starts_on=ago(90)
        )

    @cached_property
    def social_force(self):
        return partners_forces.social_force_add(user=self.office, name="临沂爱心志愿者协会", kind="organisation")

    @cached_property
    def commendation(self):
        return partners_honours.commendation_nominate(
            user=self.staff, year=ago(0).year, nominee_kind="enterprise", nominee="兰山测试物流有限公司",
            reason="捐资助学", nominated_by="镇人民政府",
        )  # fmt: skip

    @cached_property
    def training(self):
        return partners_training.training_record(
            user=self.staff, level="town", town=self.town, topic="policy", title="扶贫政策培训", held_on=ago(3),
            staff=[self.staff],
        )  # fmt: skip


def survey(village, *, year: int) -> dict:
    return {
        "village": village,
        "year": year,
        "households": 100,
        "centralised_households": 80,
        "tap_households": 70,
        "guaranteed_households": 90,
    }


def project_fields(world: World) -> dict:
    return {
        "town": world.town,
        "villages": [world.village],
        "name": "王家庄村高效蔬菜大棚",
        "category": Category.FARMING,
        "content": "建设高标准冬暖式蔬菜大棚20个",
        "scale": "占地50亩",
        "implementing_unit": "镇人民政府",
        "planned_completion": ago(-200),
    }


# --- The cases -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """``doer`` does the step on the first town's record ``arguments(world)``. ``elsewhere`` is the role of the other
    town's user (default: ``doer``; a town role when the step is the district's). ``refused`` says which of the two
    strangers the step must refuse, and ``why`` why one is not. ``scope_only``: the scope is the refusal (the call
    succeeds and does nothing)."""

    doer: Role
    arguments: Callable[[World], dict]
    elsewhere: Role | None = None
    refused: tuple[str, ...] = ("other town", "audit")
    why: str = ""
    scope_only: bool = False


STAFF, STATION, FINANCE = Role.TOWN_STAFF, Role.TOWN_STATION, Role.TOWN_FINANCE
OFFICE, DISTRICT_FINANCE, CLERK, AUDIT = Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.VILLAGE_CLERK, Role.AUDIT

CASES: dict[str, Case] = {
    # audits.services.ledger
    "audits.services.ledger.item_raise": Case(
        STAFF,
        lambda w: {
            "source": Source.SELF_CHECK,
            "category": AuditCategory.INFORMATION,
            "town": w.town,
            "village": w.village,
            "description": "贫困户信息录入不准确",
            "responsible_unit": "镇人民政府",
            "responsible_person": "王镇长",
            "time_limit_working_days": 20,
        },
        refused=("other town",),
        why="the audit bureau and the discipline commission raise items from their work (point 20)",
    ),
    "audits.services.ledger.item_update": Case(
        STAFF,
        lambda w: {
            "item": w.ledger_item,
            "category": AuditCategory.FILE,
            "description": "档案不规范",
            "responsible_unit": "镇人民政府",
            "responsible_person": "李镇长",
        },
    ),
    "audits.services.ledger.measure_add": Case(
        STAFF,
        lambda w: {"item": w.ledger_item, "description": "补齐档案", "owner_unit": "镇扶贫办", "due_on": ago(-10)},
    ),
    "audits.services.ledger.measure_update": Case(
        STAFF,
        lambda w: {"measure": w.clerk_measure, "description": "补齐档案", "owner_unit": "村委会", "due_on": ago(-20)},
    ),
    "audits.services.ledger.measure_done": Case(STAFF, lambda w: {"measure": w.clerk_measure, "done_on": ago(0)}),
    "audits.services.ledger.progress_note_add": Case(
        CLERK, lambda w: {"measure": w.clerk_measure, "text": "已核对30户"}
    ),
    "audits.services.ledger.evidence_upload": Case(
        STAFF, lambda w: {"item": w.ledger_item, "upload": audits_factories.pdf_upload()}
    ),
    "audits.services.ledger.close_off_request": Case(
        STAFF,
        lambda w: {"item": audits_factories.item_with_evidence(w.staff, w.town), "note": "已逐户核实并更正信息"},
    ),
    "audits.services.ledger.close_off_verify": Case(
        OFFICE, lambda w: {"item": w.requested_item, "approve": True, "note": "材料齐全"}, elsewhere=STAFF
    ),
    "audits.services.ledger.look_back_record": Case(
        OFFICE,
        lambda w: {"look_back": w.look_back, "outcome": LookBackOutcome.REBOUND, "note": "问题反弹"},
        elsewhere=STAFF,
    ),
    # audits.services.imports: lists of problems name any town, so the district bodies import them
    "audits.services.imports.ledger_import_upload": Case(
        OFFICE,
        lambda w: {"upload": audits_factories.ledger_sheet_upload([audits_factories.ledger_row(w.town)])},
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post imports the lists of problems of its own audits and inspections",
    ),
    "audits.services.imports.ledger_import_confirm": Case(
        OFFICE,
        lambda w: {"job": w.checked_ledger_import},
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post confirms the lists of problems of its own audits and inspections",
    ),
    "audits.services.imports.ledger_import_retry": Case(
        OFFICE,
        lambda w: {"job": w.stopped_ledger_import},
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post checks again the lists of problems of its own audits and inspections",
    ),
    # audits.services.supervision and the scan
    "audits.services.supervision.order_issue": Case(
        OFFICE,
        lambda w: {
            "town": w.town,
            "addressee": "镇党委、政府",
            "requirement": "限期整改并书面回复",
            "items": [w.ledger_item],
        },
        elsewhere=STAFF,
    ),
    "audits.services.supervision.order_reply": Case(
        STAFF, lambda w: {"order": w.supervision_order, "reply": "已整改到位"}
    ),
    "audits.services.supervision.interview_record": Case(
        OFFICE,
        lambda w: {
            "town": w.town,
            "interviewee_name": "王镇长",
            "interviewee_post": "镇长",
            "interviewee_unit": "镇人民政府",
            "interviewer": "区扶贫办",
            "held_on": ago(0),
            "minutes": "约谈记录",
            "commitments": "限期整改",
            "new_deadline": audits_factories.working_day_after(ago(-10)),
            "items": [w.ledger_item],
        },
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post records interviews (point 20)",
    ),
    "audits.services.supervision.accountability_record": Case(
        AUDIT,
        lambda w: {
            "person_name": "王某",
            "person_post": "镇长",
            "unit": "镇人民政府",
            "town": w.town,
            "form": "reminder_talk",
            "decided_on": ago(1),
            "document_number": "兰纪〔2026〕1号",
            "reason": "整改不力",
            "items": [w.ledger_item],
        },
        elsewhere=STAFF,
        refused=("other town",),
        why="the discipline commission (the audit post) records accountability (point 20)",
    ),
    "audits.services.supervision.bulletin_publish": Case(
        OFFICE,
        lambda w: {"title": "通报", "body": "典型问题通报", "units": "镇人民政府", "items": [w.ledger_item]},
        elsewhere=STAFF,
    ),
    "audits.services.scan.ledger_scan_request": Case(OFFICE, lambda w: {}, elsewhere=STAFF),
    # audits.services.plans: the district bodies plan and record; the audit post's own work
    "audits.services.plans.planned_inspection_add": Case(
        OFFICE,
        lambda w: {
            "year": 2026,
            "quarter": 2,
            "title": "镇级督查",
            "body": "district_office",
            "subject_kind": "town",
            "town": w.town,
        },
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post plans its audits (point 19)",
    ),
    "audits.services.plans.engagement_record": Case(
        OFFICE,
        lambda w: {
            "title": "小额信贷督查",
            "body": "district_office",
            "subject_kind": "microcredit",
            "scope": "小额信贷",
            "team": "督查组",
            "starts_on": ago(5),
        },
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post records its audit engagements (point 19)",
    ),
    "audits.services.plans.engagement_finding_raise": Case(
        AUDIT,
        lambda w: {
            "engagement": w.audit_engagement,
            "category": "funds",
            "town": w.town,
            "description": "扶贫资金滞留",
            "responsible_unit": "镇财政所",
            "responsible_person": "李所长",
            "time_limit_working_days": 20,
        },
        elsewhere=STAFF,
        refused=("other town",),
        why="the audit post raises the findings of its own audits (point 19)",
    ),
    # households.services.files
    "households.services.files.household_save": Case(STAFF, lambda w: {"household": w.household, "phone": "0539-1"}),
    "households.services.files.member_save": Case(
        STAFF, lambda w: {"household": w.household, "member": w.head, "name": "王新名"}
    ),
    "households.services.files.id_number_reveal": Case(
        STAFF,
        lambda w: {"member": w.head, "context": "test"},
        refused=("other town",),
        why="the audit bureau may reveal an ID number: a read, logged",
    ),
    # households.services.imports
    "households.services.imports.import_job_create": Case(
        STAFF,
        lambda w: {
            "town": w.town,
            "upload": SimpleUploadedFile("households.xlsx", sheet_bytes([])),
            "language": "zh-hans",
        },
    ),
    "households.services.imports.import_job_confirm": Case(STAFF, lambda w: {"job": w.checked_import}),
    "households.services.imports.import_job_retry": Case(STAFF, lambda w: {"job": w.stopped_import}),
    # organisation.export_services
    "organisation.export_services.export_job_retry": Case(STAFF, lambda w: {"job": w.stopped_export}),
    # households.services.lifecycle
    "households.services.lifecycle.income_record": Case(
        STAFF,
        lambda w: {
            "household": w.household,
            "year": timezone.localdate().year - 1,
            "wages": Decimal("8000"),
            "business": Decimal("0"),
            "transfers": Decimal("1200"),
            "property_income": Decimal("0"),
            "business_costs": Decimal("0"),
            "household_size": 1,
        },
    ),
    "households.services.lifecycle.household_status_change": Case(
        STAFF, lambda w: {"household": w.household, "status": HouseholdStatus.MARGINAL, "effective_on": ago(1)}
    ),
    "households.services.lifecycle.cadre_create": Case(
        STAFF,
        lambda w: {"name": "赵敏", "work_unit": "区民政局", "phone": "13905390002"},
        refused=("audit",),
        why="a new cadre helps nobody yet and belongs to no town: the staff of every town enter cadres",
    ),
    "households.services.lifecycle.cadre_update": Case(
        STAFF,
        lambda w: {"cadre": w.helping_cadre, "name": "张伟", "work_unit": "区农业农村局", "phone": "13905390009"},
    ),
    "households.services.lifecycle.cadre_assign": Case(
        STAFF,
        lambda w: {"household": w.household, "cadre": w.free_cadre, "starts_on": ago(1), "term_ends_on": ago(-365)},
    ),
    # households.services.quality
    "households.services.quality.quality_run_request": Case(
        STAFF,
        lambda w: {},
        refused=("audit",),
        why="the check covers the whole district: the staff of every town may ask for it",
    ),
    # households.services.welfare
    "households.services.welfare.dibao_enrolment_add": Case(
        STAFF,
        lambda w: {"household": w.household, "monthly_amount": Decimal("300"), "persons": 1, "starts_on": ago(30)},
    ),
    "households.services.welfare.dibao_enrolment_end": Case(
        STAFF, lambda w: {"enrolment": w.dibao_enrolment, "ends_on": ago(1)}
    ),
    "households.services.welfare.insurance_enrol_households": Case(
        STAFF, lambda w: {"scheme": w.scheme, "households": Household.objects.filter(pk=w.household.pk)}
    ),
    "households.services.welfare.insurance_enrol_household": Case(
        STAFF, lambda w: {"household": w.household, "scheme": w.scheme}
    ),
    "households.services.welfare.hospital_stay_add": Case(
        STAFF,
        lambda w: {
            "member": w.head,
            "hospital": "兰山区人民医院",
            "designated": True,
            "admitted_on": ago(20),
            "discharged_on": ago(10),
            "total_cost": Decimal("10000"),
            "self_paid": Decimal("800"),
        },
    ),
    "households.services.welfare.housing_grade_set": Case(
        STAFF, lambda w: {"household": w.household, "housing_grade": HousingGrade.B, "housing_appraised_on": ago(1)}
    ),
    "households.services.welfare.renovation_plan_add": Case(
        STAFF, lambda w: {"household": w.unsafe_household, "planned_start": ago(10), "planned_completion": ago(-90)}
    ),
    "households.services.welfare.renovation_plan_update": Case(
        STAFF,
        lambda w: {
            "plan": w.renovation_plan,
            "planned_start": ago(60),
            "planned_completion": ago(-30),
            "subsidy": None,
            "completed_on": None,
            "accepted_grade": "",
            "note": "延期",
        },
    ),
    "households.services.welfare.water_survey_record": Case(
        STAFF, lambda w: survey(w.village, year=timezone.localdate().year)
    ),
    "households.services.welfare.water_sample_record": Case(
        STAFF, lambda w: {"village": w.village, "sampled_on": ago(3), "sampling_point": "水厂出水口", "passed": True}
    ),
    "households.services.welfare.education_aid_add": Case(
        STAFF,
        lambda w: {
            "member": w.child,
            "year": timezone.localdate().year,
            "kind": "国家助学金",
            "amount": Decimal("500"),
        },
    ),
    "households.services.welfare.dropout_risk_set": Case(STAFF, lambda w: {"member": w.child, "dropout_risk": True}),
    "households.services.welfare.left_behind_child_save": Case(
        STAFF,
        lambda w: {
            "member": w.child,
            "guardian_name": "王奶奶",
            "guardian_relation": "祖母",
            "guardian_phone": "13905391234",
        },
    ),
    "households.services.welfare.care_room_record": Case(
        STAFF, lambda w: {"village": w.village, "name": "儿童关爱室", "opened_on": ago(30)}
    ),
    # funds.services.chain
    "funds.services.chain.allocation_record": Case(
        DISTRICT_FINANCE,
        lambda w: {
            "document_number": "鲁财农指〔2026〕999号",
            "title": "测试资金",
            "year": 2026,
            "amount": Decimal("500"),
            "received_on": ago(3),
            "shares": [chain.Share(town=w.town, amount=Decimal("500"))],
        },
        elsewhere=FINANCE,
    ),
    "funds.services.chain.allocation_allot": Case(
        DISTRICT_FINANCE,
        lambda w: {"allocation": w.allocation, "share": chain.Share(town=TownFactory(), amount=Decimal("500"))},
        elsewhere=FINANCE,
    ),
    "funds.services.chain.transfer_send": Case(
        FINANCE, lambda w: {"transfer": w.to_station_unsent, "sent_on": ago(1), "voucher_number": "P-2"}
    ),
    "funds.services.chain.transfer_receive": Case(
        STATION, lambda w: {"transfer": w.to_station_sent, "received_on": ago(1)}
    ),
    "funds.services.chain.payment_request_submit": Case(
        CLERK,
        lambda w: {
            "village": w.village,
            "allocation": w.station_holding,
            "project_name": "村集体光伏电站",
            "purpose": "设备款",
            "amount": Decimal("100"),
        },
    ),
    "funds.services.chain.payment_request_resubmit": Case(
        CLERK,
        lambda w: {
            "request": w.returned_request,
            "project_name": "村集体光伏电站",
            "purpose": "设备款（附发票）",
            "amount": Decimal("100"),
        },
    ),
    "funds.services.chain.payment_request_approve": Case(
        STATION, lambda w: {"request": w.payment_request(), "approved_on": ago(0)}
    ),
    "funds.services.chain.payment_request_return": Case(
        STATION, lambda w: {"request": w.payment_request(), "returned_on": ago(0), "reason": "缺发票"}
    ),
    # funds.services.findings
    "funds.services.findings.finding_raise": Case(
        AUDIT,
        lambda w: {"subject": w.allocation, "note": "拨付凭证缺失"},
        elsewhere=STAFF,
        refused=("other town",),
        why="raising a finding is the audit bureau's own write (point 6)",
    ),
    # funds.services.loans
    "funds.services.loans.loan_apply": Case(
        STAFF,
        lambda w: {
            "household": w.household,
            "borrower": w.head,
            "amount": Decimal("10000"),
            "term_months": 12,
            "repayment_interval": RepaymentInterval.MONTHLY,
            "purpose": "养殖",
            "received_on": ago(1),
        },
    ),
    "funds.services.loans.loan_decide": Case(
        STAFF, lambda w: {"loan": w.loan("applied"), "approve": True, "decided_on": ago(1)}
    ),
    "funds.services.loans.loan_disburse": Case(
        STAFF, lambda w: {"loan": w.loan("approved"), "disbursed_on": ago(1), "contract_number": "HT-2"}
    ),
    "funds.services.loans.loan_repay": Case(
        STAFF, lambda w: {"loan": w.loan("disbursed"), "paid_on": ago(1), "amount": Decimal("1000")}
    ),
    # funds.services.overdue, policy, reports
    "funds.services.overdue.overdue_scan_request": Case(OFFICE, lambda w: {}, elsewhere=STAFF),
    "funds.services.policy.funds_policy_save": Case(
        OFFICE, lambda w: {"policy": FundsPolicy.current(), "changed": ["loan_max_amount"]}, elsewhere=STAFF
    ),
    "funds.services.reports.monthly_report_open": Case(
        FINANCE, lambda w: {"town": w.town, "month": ago(40).replace(day=1)}
    ),
    "funds.services.reports.monthly_report_submit": Case(
        FINANCE, lambda w: {"report": w.report(submitted=False), "notes": "按时拨付"}
    ),
    "funds.services.reports.monthly_report_accept": Case(
        OFFICE, lambda w: {"report": w.report(submitted=True)}, elsewhere=STAFF
    ),
    "funds.services.reports.monthly_report_return": Case(
        OFFICE, lambda w: {"report": w.report(submitted=True), "note": "补充说明"}, elsewhere=STAFF
    ),
    # projects.services.enterprises
    "projects.services.enterprises.enterprise_create": Case(
        STAFF, lambda w: {"name": "兰山新建合作社", "town": w.town}
    ),
    "projects.services.enterprises.enterprise_update": Case(
        STAFF,
        lambda w: {
            "enterprise": w.enterprise,
            "name": "兰山测试食品有限公司",
            "kind": EnterpriseKind.ENTERPRISE,
            "town": w.town,
        },
    ),
    "projects.services.enterprises.agreement_create": Case(
        STAFF,
        lambda w: {
            "enterprise": w.enterprise,
            "town": w.town,
            "signed_on": ago(10),
            "ends_on": ago(-700),
            "jobs_committed": 3,
        },
    ),
    "projects.services.enterprises.fulfilment_record": Case(
        STAFF,
        lambda w: {
            "agreement": w.agreement,
            "year": timezone.localdate().year,
            "jobs_provided": 5,
            "income_paid": Decimal("0"),
            "purchases_made": Decimal("0"),
        },
    ),
    "projects.services.enterprises.blacklist_add": Case(
        OFFICE, lambda w: {"enterprise": w.enterprise, "reason": "违约", "decided_on": ago(1)}, elsewhere=STAFF
    ),
    "projects.services.enterprises.blacklist_lift": Case(
        OFFICE, lambda w: {"entry": w.blacklisting, "lifted_on": ago(1), "reason": "整改到位"}, elsewhere=STAFF
    ),
    # projects.services.income
    "projects.services.income.income_record": Case(
        STATION,
        lambda w: {
            "project": w.built,
            "period_start": ago(60),
            "period_end": ago(30),
            "amount": Decimal("3000"),
            "received_on": ago(1),
            "payer": "兰山测试农业发展有限公司",
        },
    ),
    "projects.services.income.income_distribute": Case(STATION, lambda w: {"income": w.shared_income}),
    "projects.services.income.income_distribution_mark_paid": Case(
        STATION, lambda w: {"income": w.distributed_income, "paid_on": ago(1)}
    ),
    # projects.services.lifecycle: the state machine
    "projects.services.lifecycle.move_apply": Case(
        STAFF,
        lambda w: {"project": w.project(ProjectStatus.APPROVED), "move": "start_construction", "changed_on": ago(1)},
    ),
    "projects.services.lifecycle.project_submit_for_review": Case(
        STAFF, lambda w: {"project": w.proposal(), "submitted_on": ago(1)}
    ),
    "projects.services.lifecycle.project_start_construction": Case(
        STAFF, lambda w: {"project": w.project(ProjectStatus.APPROVED), "started_on": ago(1)}
    ),
    "projects.services.lifecycle.project_complete": Case(
        STAFF, lambda w: {"project": w.project(ProjectStatus.CONSTRUCTION), "accepted_on": ago(1)}
    ),
    "projects.services.lifecycle.project_start_operation": Case(
        STAFF,
        lambda w: {
            "project": w.project(ProjectStatus.COMPLETED, three_assets_number="SZ-START"),
            "started_on": ago(1),
        },
    ),
    "projects.services.lifecycle.project_suspend": Case(
        STAFF, lambda w: {"project": w.built, "suspended_on": ago(1), "reason": "经营主体停产"}
    ),
    "projects.services.lifecycle.project_resume": Case(
        STAFF, lambda w: {"project": w.project(ProjectStatus.SUSPENDED), "resumed_on": ago(1)}
    ),
    "projects.services.lifecycle.project_convert": Case(
        STAFF, lambda w: {"project": w.built, "converted_on": ago(1), "reason": "转为光伏项目"}
    ),
    # projects.services.proposals
    "projects.services.proposals.project_propose": Case(
        STAFF, lambda w: {**project_fields(w), "investments": [(InvestmentSource.CENTRAL, Decimal("100000"))]}
    ),
    "projects.services.proposals.project_update": Case(
        STAFF,
        lambda w: {
            "project": w.proposal(),
            **{k: v for k, v in project_fields(w).items() if k != "town"},
            "investments": [(InvestmentSource.DISTRICT, Decimal("200000"))],
        },
    ),
    "projects.services.proposals.project_register_existing": Case(
        STAFF,
        lambda w: {
            **{k: v for k, v in project_fields(w).items() if k != "planned_completion"},
            "investments": [(InvestmentSource.CENTRAL, Decimal("100000"))],
            "status": ProjectStatus.COMPLETED,
            "completed_on": ago(700),
        },
    ),
    # projects.services.parks
    "projects.services.parks.park_create": Case(
        STAFF, lambda w: {"town": w.town, "name": "新建产业园", "established_on": ago(10)}
    ),
    "projects.services.parks.park_update": Case(
        STAFF, lambda w: {"park": w.park, "name": "汪沟镇扶贫产业园", "established_on": ago(300), "note": "扩建"}
    ),
    "projects.services.parks.project_assign_park": Case(STAFF, lambda w: {"project": w.built, "park": w.park}),
    # projects.services.plans
    "projects.services.plans.plan_update": Case(
        STAFF,
        lambda w: {
            "plan": w.plan(),
            "remedy": Remedy.OTHER,
            "steps": "更换经营主体",
            "responsible_unit": "镇政府",
            "deadline": ago(-60),
        },
    ),
    "projects.services.plans.plan_start": Case(STAFF, lambda w: {"plan": w.plan(written=True)}),
    "projects.services.plans.plan_complete": Case(
        STAFF, lambda w: {"plan": w.plan(written=True, status=PlanStatus.IN_PROGRESS), "completed_on": ago(1)}
    ),
    # projects.services.review: the district office's
    "projects.services.review.review_opinion_record": Case(
        OFFICE,
        lambda w: {"project": w.under_review(), "department": w.department, "opinion": Opinion.AGREE},
        elsewhere=STAFF,
    ),
    "projects.services.review.review_return": Case(
        OFFICE, lambda w: {"project": w.under_review(Opinion.DISAGREE), "returned_on": ago(1)}, elsewhere=STAFF
    ),
    "projects.services.review.publicity_open": Case(
        OFFICE, lambda w: {"project": w.under_review(Opinion.AGREE), "starts_on": ago(1)}, elsewhere=STAFF
    ),
    "projects.services.review.objection_record": Case(
        OFFICE,
        lambda w: {"publicity": w.under_publicity(ago(3)), "received_on": ago(1), "content": "占用耕地"},
        elsewhere=STAFF,
    ),
    "projects.services.review.objection_answer": Case(
        OFFICE, lambda w: {"objection": w.objection, "answer": "已核实", "answered_on": ago(1)}, elsewhere=STAFF
    ),
    "projects.services.review.project_approve": Case(
        OFFICE, lambda w: {"project": w.under_publicity(ago(30)).project, "approved_on": ago(1)}, elsewhere=STAFF
    ),
    # projects.services.rights
    "projects.services.rights.property_right_confirm": Case(
        STATION,
        lambda w: {"project": w.built, "certificate_number": "QZ-1", "confirmed_on": ago(1), "owner": "村集体"},
    ),
    "projects.services.rights.three_assets_register": Case(
        STATION, lambda w: {"project": w.built, "number": "SZ-NEW"}
    ),
    "projects.services.rights.asset_register": Case(
        STATION, lambda w: {"project": w.built, "number": "BQ-1", "registered_on": ago(1)}
    ),
    "projects.services.rights.operator_set": Case(
        STATION, lambda w: {"project": w.built, "enterprise": w.enterprise, "agreed_annual_income": Decimal("60000")}
    ),
    "projects.services.rights.income_shares_set": Case(
        STATION, lambda w: {"project": w.built, "shares": [(w.village, Decimal("100"))]}
    ),
    "projects.services.rights.encumbrance_request": Case(
        STATION,
        lambda w: {
            "project": w.built,
            "kind": EncumbranceKind.MORTGAGE,
            "creditor": "兰山农商银行",
            "amount": Decimal("100000"),
            "purpose": "流动资金",
            "requested_on": ago(1),
        },
    ),
    "projects.services.rights.encumbrance_decide": Case(
        OFFICE,
        lambda w: {"encumbrance": w.encumbrance(approved=False), "approve": True, "decided_on": ago(1)},
        elsewhere=STAFF,
    ),
    "projects.services.rights.encumbrance_release": Case(
        STATION, lambda w: {"encumbrance": w.encumbrance(approved=True), "released_on": ago(1)}
    ),
    # projects.services.yields
    "projects.services.yields.yield_assessment_request": Case(OFFICE, lambda w: {}, elsewhere=STAFF),
    # reporting.services.builds: "compute now" on the district's dashboard
    "reporting.services.builds.figures_build_request": Case(
        OFFICE, lambda w: {"month": timezone.localdate().replace(day=1)}, elsewhere=STAFF
    ),
    # organisation.calendar_services: the district's calendar
    "organisation.calendar_services.calendar_day_save": Case(
        OFFICE,
        lambda w: {"date": dt.date(2026, 8, 3), "kind": CalendarDayKind.HOLIDAY, "name": "测试"},
        elsewhere=STAFF,
    ),
    "organisation.calendar_services.calendar_day_delete": Case(
        OFFICE,
        lambda w: {"day": CalendarDay.objects.create(date=dt.date(2026, 8, 4), kind=CalendarDayKind.HOLIDAY)},
        elsewhere=STAFF,
    ),
    "organisation.calendar_services.calendar_year_mark": Case(
        OFFICE, lambda w: {"year": 2027, "source": "国办发明电"}, elsewhere=STAFF
    ),
    "organisation.calendar_services.calendar_year_delete": Case(
        OFFICE,
        lambda w: {"calendar_year": calendar_services.calendar_year_mark(year=2027, user=w.office)},
        elsewhere=STAFF,
    ),
    "organisation.calendar_services.calendar_year_load": Case(
        OFFICE, lambda w: {"year": 2027, "lines_text": "2027-01-01 holiday 元旦"}, elsewhere=STAFF
    ),
    # reporting.services.reports: a town's staff has its town's monthly report made
    "reporting.services.reports.work_report_request": Case(
        STAFF, lambda w: {"month": ago(35).replace(day=1), "town": w.town}
    ),
    # notifications.services: a user's own notices
    # partners.services: departments' plans by the district office; pairings, secretaries, contributions, town
    # responsibilities and trainings by the town's staff in their town
    "partners.services.sectors.department_add": Case(OFFICE, lambda w: {"name": "区教育和体育局"}, elsewhere=STAFF),
    "partners.services.sectors.plan_target_add": Case(
        OFFICE,
        lambda w: {
            "department": w.partners_department,
            "year": 2018,
            "measure": "新建通村公路",
            "unit": "公里",
            "target": Decimal("30"),
        },
        elsewhere=STAFF,
    ),
    "partners.services.sectors.target_progress_record": Case(
        OFFICE, lambda w: {"target": w.plan_target, "quarter": 1, "achieved": Decimal("3")}, elsewhere=STAFF
    ),
    "partners.services.sectors.pairing_add": Case(
        STAFF, lambda w: {"department": w.partners_department, "village": w.village, "starts_on": ago(30)}
    ),
    "partners.services.sectors.pairing_end": Case(STAFF, lambda w: {"pairing": w.pairing, "ends_on": ago(1)}),
    "partners.services.sectors.pairing_support_add": Case(
        STAFF, lambda w: {"pairing": w.pairing, "kind": "money", "given_on": ago(5), "amount": Decimal("20000")}
    ),
    "partners.services.secretaries.secretary_appoint": Case(
        STAFF,
        lambda w: {
            "village": w.village,
            "name": "王磊",
            "unit": "区农业农村局",
            "post": "副科长",
            "starts_on": ago(10),
        },
    ),
    "partners.services.secretaries.secretary_term_end": Case(
        STAFF, lambda w: {"secretary": w.first_secretary, "ends_on": ago(1)}
    ),
    "partners.services.secretaries.team_member_add": Case(
        STAFF, lambda w: {"secretary": w.first_secretary, "name": "赵敏", "unit": "镇人民政府"}
    ),
    "partners.services.forces.social_force_add": Case(
        STAFF,
        lambda w: {"name": "兰山测试商贸有限公司", "kind": "enterprise", "phone": "13905391234"},
        refused=("audit",),
        why="the register of social forces is the district's, with no town: any town's staff adds a force they met",
    ),
    "partners.services.forces.contribution_record": Case(
        STAFF,
        lambda w: {
            "force": w.social_force,
            "kind": "money",
            "given_on": ago(3),
            "town": w.town,
            "village": w.village,
            "amount": Decimal("5000"),
        },
    ),
    "partners.services.honours.poverty_day_activity_add": Case(
        OFFICE, lambda w: {"title": "扶贫日募捐", "held_on": ago(5), "organiser": "区扶贫办"}, elsewhere=STAFF
    ),
    "partners.services.honours.commendation_nominate": Case(
        STAFF,
        lambda w: {
            "year": ago(0).year,
            "nominee_kind": "individual",
            "nominee": "张华",
            "reason": "长期志愿服务",
            "nominated_by": "镇人民政府",
        },
        refused=("audit",),
        why="a nomination names no town: any town's staff nominates, the district office decides",
    ),
    "partners.services.honours.commendation_decide": Case(
        OFFICE, lambda w: {"commendation": w.commendation, "approve": True}, elsewhere=STAFF
    ),
    "partners.services.training.responsibility_rules_issue": Case(
        OFFICE,
        lambda w: {"title": "兰山区脱贫攻坚责任制实施细则", "issued_on": ago(100), "text": "第一条 ……"},
        elsewhere=STAFF,
    ),
    "partners.services.training.responsibility_assign": Case(
        STAFF, lambda w: {"level": "town", "holder": "镇党委书记", "duty": "第一责任人", "town": w.town}
    ),
    "partners.services.training.training_record": Case(
        STAFF,
        lambda w: {
            "level": "town",
            "town": w.town,
            "topic": "risk",
            "title": "风险防范培训",
            "held_on": ago(2),
            "staff": [w.staff],
        },
    ),
    "partners.services.training.attendance_mark": Case(
        STAFF, lambda w: {"attendance": w.training.attendance.get(), "attended": False}
    ),
    "partners.services.evaluations.evaluation_moderate": Case(
        OFFICE,
        lambda w: {"evaluation": PublicEvaluation.objects.create(text="道路修得好"), "publish": True},
        elsewhere=STAFF,
    ),
    "notifications.services.notification_mark_read": Case(
        STAFF,
        lambda w: {
            "notification_ids": [Notification.objects.create(recipient=w.staff, key="test", subject="逾期提醒").pk]
        },
        scope_only=True,
    ),
}


# --- The tests -----------------------------------------------------------------------------------------------------


def test_every_service_function_is_a_case_or_says_why_not():
    found = service_functions()
    assert found, "no service module was found"
    unknown = sorted(set(found) - set(CASES) - set(NOT_ACTING_FOR_A_USER))
    assert not unknown, f"add a refusal case to CASES, or a reason to NOT_ACTING_FOR_A_USER, for: {unknown}"
    stale = sorted((set(CASES) | set(NOT_ACTING_FOR_A_USER)) - set(found))
    assert not stale, f"these are no service functions (any more): {stale}"
    both = sorted(set(CASES) & set(NOT_ACTING_FOR_A_USER))
    assert not both, f"a case and a reason not to have one: {both}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_write_service_takes_the_acting_user_by_keyword(name):
    parameters = inspect.signature(service_functions()[name]).parameters
    assert "user" in parameters and parameters["user"].kind is inspect.Parameter.KEYWORD_ONLY


def writes_so_far() -> int:
    """Rows inserted, updated or deleted in this transaction so far (rolled-back savepoints included)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        return cursor.fetchone()[0]


def refusals():
    for name, case in sorted(CASES.items()):
        for stranger in ("other town", "audit"):
            marks = () if stranger in case.refused else (pytest.mark.skip(reason=case.why),)
            yield pytest.param(name, stranger, id=f"{name}-{stranger}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "stranger"), list(refusals()))
def test_a_write_service_refuses_another_towns_user_and_the_audit_bureau(
    name, stranger, django_capture_on_commit_callbacks
):
    # given a record of the first town the step can be done on, and a user it is not for
    case, service = CASES[name], service_functions()[name]
    world = World()
    arguments = case.arguments(world)
    user = world.user(Role.AUDIT) if stranger == "audit" else world.user(case.elsewhere or case.doer, elsewhere=True)
    before = writes_so_far()
    # when that user calls the service
    with django_capture_on_commit_callbacks() as queued:
        if case.scope_only:
            service(user=user, **arguments)
        else:
            with pytest.raises(PermissionDenied):
                service(user=user, **arguments)
    # then nothing was written, nor queued
    assert writes_so_far() == before, f"{name} wrote for {stranger}"
    assert not queued, f"{name} queued work for {stranger}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_write_service_does_its_step_for_its_own_towns_user(name, django_capture_on_commit_callbacks):
    # given the same record and the user who does the step in the first town
    case, service = CASES[name], service_functions()[name]
    world = World()
    arguments = case.arguments(world)
    user = world.user(case.doer)
    before = writes_so_far()
    # when that user calls the service
    with django_capture_on_commit_callbacks() as queued:
        service(user=user, **arguments)
    # then it wrote or queued its work (so the refusals above are the user's, not the record's)
    assert writes_so_far() > before or queued, f"{name} did nothing for its own town's {case.doer}"
