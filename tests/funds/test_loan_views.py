"""The microcredit pages: the list and its filters, the application in two steps, one loan and its steps, the loan
book; every page holds against the wrong role and against another town's users."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Installment, Loan, LoanStatus, RepaymentInterval, RiskBand
from funds.services import loans as services
from organisation.roles import Role
from tests.factories.households import HouseholdFactory, member_born
from tests.permission_checks import assert_other_town_refused, history_head, stranger

pytestmark = [pytest.mark.django_db, pytest.mark.english]

TODAY = timezone.localdate()
RECEIVED = dt.date(2026, 3, 10)


@pytest.fixture
def staff(make_user, town):
    return make_user(Role.TOWN_STAFF, town=town)


def applied(staff, village, *, name="张秀兰", received_on=RECEIVED, amount="30000.00", **fields) -> Loan:
    household = HouseholdFactory(village=village, **fields)
    return services.loan_apply(
        user=staff,
        household=household,
        borrower=member_born(household, name=name),
        amount=Decimal(amount),
        term_months=4,
        repayment_interval=RepaymentInterval.MONTHLY,
        purpose="种植金银花",
        received_on=received_on,
    )


def approved(staff, village, **kwargs) -> Loan:
    loan = applied(staff, village, **kwargs)
    return services.loan_decide(user=staff, loan=loan, approve=True, decided_on=loan.clock_start)


def disbursed(staff, village, *, contract_number="LSNSH-2026-001", **kwargs) -> Loan:
    loan = approved(staff, village, **kwargs)
    return services.loan_disburse(
        user=staff, loan=loan, disbursed_on=loan.clock_start + dt.timedelta(days=3), contract_number=contract_number
    )


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- The list -----------------------------------------------------------------------------------------------------


def test_the_list_shows_the_town_s_loans_only(client, staff, make_user, village, other_village):
    # given an application in the town and one in another town
    mine = applied(staff, village, name="张秀兰")
    applied(make_user(Role.TOWN_STAFF, town=other_village.town), other_village, name="赵四海")

    # when the town staff open the list
    html = page(client, staff, reverse("funds:loan_list"))

    # then only the town's is there
    assert "张秀兰" in html and mine.household.file_number in html
    assert "赵四海" not in html


def test_the_list_filters(client, staff, village):
    # given an application past its deadline, an approved loan and a disbursed one 60 days overdue
    late = applied(staff, village, name="逾期户", received_on=dt.date(2026, 3, 2))
    decided = approved(staff, village, name="已批户", received_on=dt.date(2026, 5, 6))
    paying = disbursed(staff, village, name="还款户", received_on=dt.date(2026, 6, 1), contract_number="HT-778")
    Loan.objects.filter(pk=paying.pk).update(risk_band=RiskBand.OVERDUE_60)
    # when the list is filtered in turn
    url = reverse("funds:loan_list")

    def names(**params) -> set[str]:
        html = page(client, staff, url, **params)
        return {name for name in ("逾期户", "已批户", "还款户") if name in html}

    # then each filter finds its loans
    assert names() == {"逾期户", "已批户", "还款户"}
    assert names(status=LoanStatus.APPROVED) == {"已批户"}
    assert names(processing_overdue="on") == {"逾期户"}
    assert names(risk_band=RiskBand.OVERDUE_60) == {"还款户"}
    assert names(received_from="2026-05-01", received_to="2026-05-31") == {"已批户"}
    assert names(q="HT-778") == {"还款户"}
    assert names(q=late.household.file_number) == {"逾期户"}
    assert names(q="已批") == {"已批户"}
    assert names(village=village.pk) == {"逾期户", "已批户", "还款户"}
    assert names(town=village.town_id) == {"逾期户", "已批户", "还款户"}
    assert decided.status == LoanStatus.APPROVED


def test_a_filter_naming_another_town_shows_nothing(client, staff, village, other_village):
    # given an application of the town
    applied(staff, village, name="张秀兰")

    # when the staff filter by a village of another town
    html = page(client, staff, reverse("funds:loan_list"), village=other_village.pk)

    # then nothing is shown, and the filter is named not valid
    assert "张秀兰" not in html
    assert "A filter is not valid" in html


def test_undecided_applications_show_their_clock(client, staff, village):
    # given an application received on 10 March 2026: 7 working days -> due 19 March, long past
    late = applied(staff, village, name="逾期户", received_on=RECEIVED)
    days = (TODAY - late.due_date).days

    # when the list is opened
    html = page(client, staff, reverse("funds:loan_list"))

    # then it shows the due date and the days overdue
    assert late.due_date.isoformat() in html
    assert f"{days} days overdue" in html


def test_an_application_received_today_shows_days_left(client, staff, village):
    # given an application received today
    loan = applied(staff, village, received_on=TODAY)

    # when the list is opened
    html = page(client, staff, reverse("funds:loan_list"))

    # then it shows the days left
    assert f"{(loan.due_date - TODAY).days} days left" in html


def test_the_list_pages_by_25(client, staff, village):
    # given 26 applications
    for number in range(26):
        applied(staff, village, name=f"借款人{number:02d}")

    # when both pages of the list are opened
    first = page(client, staff, reverse("funds:loan_list"))
    second = page(client, staff, reverse("funds:loan_list"), page=2)

    # then the first shows 25 and the second 1
    assert first.count("data-loan-id=") == 25
    assert second.count("data-loan-id=") == 1
    assert "Page 1 of 2 (26 in all)" in first


# --- Applying -----------------------------------------------------------------------------------------------------


def test_an_application_in_two_steps(client, staff, village):
    # given a household and its member
    household = HouseholdFactory(village=village)
    borrower = member_born(household, name="孙志强")
    url = reverse("funds:loan_create")

    # when the staff search for the household, it is offered
    found = page(client, staff, url, q=household.file_number[-6:])
    assert f"?household={household.pk}" in found

    # and the form for it offers its members
    form = page(client, staff, url, household=household.pk)
    assert "孙志强" in form

    # when the application is posted
    response = client.post(
        f"{url}?household={household.pk}",
        {
            "borrower": borrower.pk,
            "amount": "20000.00",
            "term_months": "12",
            "repayment_interval": RepaymentInterval.QUARTERLY,
            "purpose": "发展大棚蔬菜",
            "received_on": "2026-09-29",
            "bank": "兰山农村商业银行",
        },
    )

    # then the loan is there, due 7 working days after its receipt
    loan = Loan.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == loan.get_absolute_url()
    assert (loan.borrower, loan.amount, loan.due_date) == (borrower, Decimal("20000.00"), dt.date(2026, 10, 14))


def test_a_refused_application_shows_why_on_the_form(client, staff, village):
    # given a household whose chosen borrower is 14
    household = HouseholdFactory(village=village)
    child = member_born(household, birth_date=dt.date(2012, 1, 1), name="孙小明")
    client.force_login(staff)

    # when the application is posted
    response = client.post(
        f"{reverse('funds:loan_create')}?household={household.pk}",
        {
            "borrower": child.pk,
            "amount": "20000.00",
            "term_months": "12",
            "repayment_interval": RepaymentInterval.MONTHLY,
            "purpose": "养羊",
            "received_on": "2026-09-29",
            "bank": "兰山农村商业银行",
        },
    )

    # then the form says why, and no loan was written
    assert response.status_code == 200
    assert "孙小明 is 14 years old on 2026-09-29; a borrower must be aged 18 to 60." in response.content.decode()
    assert not Loan.objects.filter(household=household).exists()


def test_the_household_search_lists_only_households_the_user_may_change(client, staff, other_village):
    # given a household of another town
    elsewhere = HouseholdFactory(village=other_village)

    # when the staff search for it
    html = page(client, staff, reverse("funds:loan_create"), q=elsewhere.file_number)

    # then it is not offered
    assert f"?household={elsewhere.pk}" not in html


# --- One loan and its steps ---------------------------------------------------------------------------------------


def test_the_loan_page(client, staff, village):
    # given a disbursed loan of 1,000 with 300 repaid
    loan = disbursed(staff, village, amount="1000.00")
    services.loan_repay(user=staff, loan=loan, paid_on=loan.disbursed_on, amount=Decimal("300.00"))

    # when its page is opened
    html = page(client, staff, loan.get_absolute_url())

    # then it shows the schedule, the repayment, what is outstanding, and the repay step only
    assert 'data-testid="schedule-table"' in html
    assert html.count("250.00") >= 4
    assert "300.00" in html and "700.00" in html  # the repayment, and what is outstanding
    assert loan.due_date.isoformat() in html
    assert reverse("funds:loan_repay", args=[loan.pk]) in html
    assert reverse("funds:loan_decide", args=[loan.pk]) not in html


def test_the_loan_page_marks_a_provisional_due_date_and_days_late(client, staff, village):
    # given an application whose due date is provisional
    loan = applied(staff, village)
    Loan.objects.filter(pk=loan.pk).update(due_is_provisional=True)

    # when its page is opened
    html = page(client, staff, loan.get_absolute_url())
    # then the due date is marked provisional, and the decision is offered
    assert 'data-testid="due-provisional"' in html
    assert reverse("funds:loan_decide", args=[loan.pk]) in html

    # when it is decided 4 days late
    services.loan_decide(user=staff, loan=loan, approve=True, decided_on=loan.due_date + dt.timedelta(days=4))
    html = page(client, staff, loan.get_absolute_url())
    # then the page shows the 4 days late
    assert '<dd class="col-sm-7" data-testid="days-late"><span class="text-danger">4</span></dd>' in html


def test_district_readers_see_the_loan_and_its_findings_without_buttons(client, staff, make_user, village):
    # given an application
    loan = applied(staff, village)

    # when the district office opens it
    html = page(client, make_user(Role.DISTRICT_OFFICE), loan.get_absolute_url())

    # then it sees the findings and no step
    assert 'data-testid="findings"' in html
    assert reverse("funds:loan_decide", args=[loan.pk]) not in html


def test_deciding_disbursing_and_repaying_through_the_pages(client, staff, village):
    # given an application of 1,200
    loan = applied(staff, village, amount="1200.00")
    client.force_login(staff)

    # when it is approved and disbursed
    response = client.post(
        reverse("funds:loan_decide", args=[loan.pk]), {"decision": "approve", "decided_on": "2026-03-12"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("funds:loan_disburse", args=[loan.pk]), {"disbursed_on": "2026-03-16", "contract_number": "HT-1"}
    )
    assert response.status_code == 302
    # then it has four instalments
    assert Installment.objects.filter(loan=loan).count() == 4

    # when 1,300 are repaid, the form says only 1,200 are outstanding
    too_much = client.post(reverse("funds:loan_repay", args=[loan.pk]), {"paid_on": "2026-04-16", "amount": "1300"})
    assert "Only 1200.00 yuan of the loan is outstanding; 1300.00 yuan is more." in too_much.content.decode()

    # when 1,200 are repaid
    response = client.post(reverse("funds:loan_repay", args=[loan.pk]), {"paid_on": "2026-04-16", "amount": "1200"})
    # then the loan is settled
    assert response.status_code == 302
    loan.refresh_from_db()
    assert (loan.status, loan.repaid) == (LoanStatus.SETTLED, Decimal("1200.00"))


def test_a_rejection_without_a_reason_is_refused_on_the_form(client, staff, village):
    # given an application
    loan = applied(staff, village)
    client.force_login(staff)

    # when it is rejected without a reason
    response = client.post(
        reverse("funds:loan_decide", args=[loan.pk]), {"decision": "reject", "decided_on": "2026-03-12"}
    )

    # then the form asks why, and the application waits
    assert response.status_code == 200
    assert "Say why the application is rejected." in response.content.decode()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPLIED


# --- The loan book ------------------------------------------------------------------------------------------------


def test_the_loan_book_page(client, staff, make_user, village, other_town):
    # given a disbursed loan
    disbursed(staff, village, amount="1000.00")

    # when the district office and the town staff open the loan book
    office_html = page(client, make_user(Role.DISTRICT_OFFICE), reverse("funds:loan_book"))
    town_html = page(client, staff, reverse("funds:loan_book"))

    # then the office sees every town, the staff their own only
    assert village.town.name in office_html and other_town.name in office_html
    assert "1000.00" in office_html
    assert village.town.name in town_html and other_town.name not in town_html


# --- Permissions --------------------------------------------------------------------------------------------------


@pytest.fixture
def loans(staff, village):
    """A loan at each step, so that every step's page has a loan to refuse."""
    return {
        "loan_decide": applied(staff, village),
        "loan_disburse": approved(staff, village),
        "loan_repay": disbursed(staff, village),
    }


STEP_DATA = {
    "loan_decide": {"decision": "approve", "decided_on": "2026-03-12"},
    "loan_disburse": {"disbursed_on": "2026-03-16", "contract_number": "HT-X"},
    "loan_repay": {"paid_on": "2026-04-16", "amount": "100"},
}


def record_urls(loans) -> list[tuple[str, str, dict]]:
    """(name, url, the data a POST would carry) of every page about one record."""
    household = loans["loan_decide"].household
    create_data = {
        "borrower": household.members.first().pk,
        "amount": "1000",
        "term_months": "12",
        "repayment_interval": RepaymentInterval.MONTHLY,
        "purpose": "养鸡",
        "received_on": "2026-03-10",
        "bank": "兰山农村商业银行",
    }
    urls = [("loan_create", f"{reverse('funds:loan_create')}?household={household.pk}", create_data)]
    for name, loan in loans.items():
        urls.append(("loan_detail", reverse("funds:loan_detail", args=[loan.pk]), {}))
        urls.append((name, reverse(f"funds:{name}", args=[loan.pk]), STEP_DATA[name]))
    return urls


@pytest.mark.parametrize("role", [Role.TOWN_STAFF, Role.VILLAGE_CLERK])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_town_is_refused_on_every_loan_url(client, loans, role, method):
    # then another town's user is refused every page of a loan, and writes nothing
    for name, url, data in record_urls(loans):
        if name == "loan_detail" and method == "post":
            # the loan's page takes no POST from anyone: refused as a method, and nothing is written
            client.force_login(stranger(role))
            before = history_head()
            assert client.post(url, data).status_code == 405
            assert history_head() == before
            continue
        # a GET carries no form data (the test client would replace the URL's query string with it)
        assert_other_town_refused(client, url, role=role, method=method, data=data if method == "post" else None)


@pytest.mark.parametrize("role", [Role.TOWN_FINANCE, Role.TOWN_STATION, Role.VILLAGE_CLERK, Role.DISTRICT_OFFICE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_role_that_does_not_enter_loans_gets_403(client, make_user, town, village, loans, role, method):
    # given a user whose role does not enter loans; each of them reaches the loans' village: only the role keeps
    # them out
    posts = {Role.VILLAGE_CLERK: {"village": village}, Role.DISTRICT_OFFICE: {}}
    client.force_login(make_user(role, **posts.get(role, {"town": town})))
    before = history_head()

    # when they open or post every step
    for name, url, data in record_urls(loans):
        if name == "loan_detail":
            continue  # reading is every reader's
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, f"{role} got {response.status_code} at {method} {url}"

    # then nothing was written and the application waits
    assert history_head() == before
    loans["loan_decide"].refresh_from_db()
    assert loans["loan_decide"].status == LoanStatus.APPLIED


def test_another_town_s_users_see_nothing_of_the_town_in_the_lists(client, staff, make_user, village, other_town):
    # given a disbursed loan and a user of another town
    loan = disbursed(staff, village, name="张秀兰", amount="1000.00")
    stranger = make_user(Role.TOWN_STAFF, town=other_town)

    # then neither the list nor the loan book shows anything of the town
    assert "张秀兰" not in page(client, stranger, reverse("funds:loan_list"))
    book = page(client, stranger, reverse("funds:loan_book"))
    assert village.town.name not in book and "1000.00" not in book
    assert loan.pk
