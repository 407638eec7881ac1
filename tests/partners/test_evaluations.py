"""社会监督评议 (point 15): the public leaves an evaluation without login; it waits unseen until the district office
publishes it, is shown as text (never HTML), and one address may leave only a few an hour."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from organisation.roles import Role
from partners.choices import EvaluationStatus
from partners.models import Department, PublicEvaluation
from partners.rules import EVALUATIONS_PER_ADDRESS
from partners.services.evaluations import evaluation_moderate, evaluation_rate_key

SCRIPT = '<script>alert("x")</script><b>好</b>'


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    caches["rate_limit"].delete(evaluation_rate_key("127.0.0.1"))
    yield
    caches["rate_limit"].delete(evaluation_rate_key("127.0.0.1"))


def leave(client, text, department=""):
    return client.post(reverse("public_forms:evaluation"), {"text": text, "department": department, "author": ""})


@pytest.mark.django_db
def test_an_evaluation_waits_for_moderation_then_shows_as_text_with_the_answer(office_user):
    # given a department, and someone on the internet with a CSRF-checking browser
    department = Department.objects.create(name="区交通运输局")
    browser = Client(enforce_csrf_checks=True)
    form = browser.get(reverse("public_forms:evaluation"))
    token = form.cookies["csrftoken"].value
    # when they leave an evaluation holding HTML
    sent = browser.post(
        reverse("public_forms:evaluation"),
        {"text": SCRIPT, "department": department.pk, "author": "", "csrfmiddlewaretoken": token},
    )
    # then it is stored, waiting, and not on the public page
    assert sent.status_code == 302
    evaluation = PublicEvaluation.objects.get()
    assert evaluation.status == EvaluationStatus.PENDING and evaluation.department == department
    assert "alert" not in browser.get(reverse("public:public_index")).content.decode()
    # when the district office publishes it with an answer
    evaluation_moderate(user=office_user, evaluation=evaluation, publish=True, answer="已转交<i>区交通运输局</i>")
    # then the public page shows it and the answer as text: escaped, never run
    page = browser.get(reverse("public:public_index")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;好&lt;/b&gt;" in page
    assert "已转交&lt;i&gt;区交通运输局&lt;/i&gt;" in page
    assert "<script>alert" not in page and "<b>好</b>" not in page


@pytest.mark.django_db
def test_an_evaluation_kept_unpublished_never_shows(office_user, client):
    # given an evaluation the office kept unpublished
    leave(client, "无关广告内容")
    evaluation_moderate(user=office_user, evaluation=PublicEvaluation.objects.get(), publish=False)
    # then the public page does not show it
    assert "无关广告内容" not in client.get(reverse("public:public_index")).content.decode()


@pytest.mark.django_db
@pytest.mark.english
def test_one_address_may_leave_only_a_few_evaluations_an_hour(client):
    # given an address that left as many evaluations as an hour allows
    for n in range(EVALUATIONS_PER_ADDRESS):
        assert leave(client, f"意见{n}").status_code == 302
    # when it leaves one more
    refused = leave(client, "再来一条")
    # then it is refused in words on the form, and not stored
    assert refused.status_code == 200
    assert "Please try again later" in refused.content.decode()
    assert PublicEvaluation.objects.count() == EVALUATIONS_PER_ADDRESS
    # while another address may still leave one
    other = Client(REMOTE_ADDR="10.0.0.9")
    caches["rate_limit"].delete(evaluation_rate_key("10.0.0.9"))
    assert leave(other, "另一个地址").status_code == 302
    caches["rate_limit"].delete(evaluation_rate_key("10.0.0.9"))


@pytest.mark.django_db
def test_an_empty_evaluation_is_refused_and_does_not_count(client):
    # when the form is sent empty
    response = leave(client, "   ")
    # then it is refused, nothing is stored, and the address's count is untouched
    assert response.status_code == 200
    assert PublicEvaluation.objects.count() == 0
    assert caches["rate_limit"].get(evaluation_rate_key("127.0.0.1")) is None


@pytest.mark.django_db
def test_only_the_district_office_moderates(client, make_user, town):
    # given an evaluation waiting
    leave(client, "希望加快道路建设")
    evaluation = PublicEvaluation.objects.get()
    url = reverse("partners:evaluation_moderate", args=[evaluation.pk])
    # then town staff and the audit post cannot open the queue or moderate
    for user in (make_user(Role.TOWN_STAFF, town=town), make_user(Role.AUDIT)):
        client.force_login(user)
        assert client.get(reverse("partners:evaluation_list")).status_code == 403
        assert client.post(url, {"publish": "1", "answer": ""}).status_code == 403
    # and the office can
    client.force_login(make_user(Role.DISTRICT_OFFICE))
    assert client.post(url, {"publish": "1", "answer": "已答复"}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED and evaluation.answer == "已答复"


@pytest.mark.django_db
def test_behind_the_proxy_each_user_address_has_its_own_limit(settings):
    # given the district's proxy, which forwards each user's address
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    first = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    for address in ("203.0.113.7", "203.0.113.8"):
        caches["rate_limit"].delete(evaluation_rate_key(address))
    # when the first user reaches the limit
    for n in range(EVALUATIONS_PER_ADDRESS + 1):
        leave(first, f"意见{n}")
    # then the second, behind the same proxy, may still leave one
    assert leave(second, "另一位市民").status_code == 302
    assert PublicEvaluation.objects.count() == EVALUATIONS_PER_ADDRESS + 1
    for address in ("203.0.113.7", "203.0.113.8"):
        caches["rate_limit"].delete(evaluation_rate_key(address))


@pytest.mark.django_db
@pytest.mark.english
def test_without_redis_the_form_refuses_in_words_and_stores_nothing(client, settings):
    # given the rate limit's Redis unreachable
    settings.CACHES = {
        **settings.CACHES,
        "rate_limit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    # when someone leaves an evaluation
    response = leave(client, "希望加快道路建设")
    # then the form says to try later, and nothing is stored
    assert response.status_code == 200
    assert "cannot take evaluations right now" in response.content.decode()
    assert PublicEvaluation.objects.count() == 0
