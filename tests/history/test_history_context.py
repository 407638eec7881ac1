from celery import shared_task

from history.context import history_context
from organisation.models import Village, VillageEvent


@shared_task(name="tests.history.rename_village")
def rename_village(village_id: int, name: str) -> None:
    Village.objects.filter(pk=village_id).update(name=name)


def latest_context(village) -> dict | None:
    return VillageEvent.objects.filter(pgh_obj_id=village.pk).latest("pgh_id").pgh_context


def test_changes_made_by_a_task_name_the_task(yangjia):
    # when
    result = rename_village.apply(args=[yangjia.pk, "杨家庄"])

    # then
    assert result.successful()
    assert latest_context(yangjia)["task"] == "tests.history.rename_village"
    assert latest_context(yangjia)["task_id"] == result.id


def test_the_task_context_ends_with_the_task(yangjia):
    # given
    rename_village.apply(args=[yangjia.pk, "杨家庄"])

    # when
    Village.objects.filter(pk=yangjia.pk).update(name="杨家村")

    # then
    assert latest_context(yangjia) is None


def test_a_task_run_inside_another_context_leaves_that_context_as_it_was(yangjia):
    # when
    with history_context(command="import_villages"):
        rename_village.apply(args=[yangjia.pk, "杨家庄"])
        in_task = latest_context(yangjia)
        Village.objects.filter(pk=yangjia.pk).update(name="杨家村")
        after_task = latest_context(yangjia)

    # then
    assert in_task["command"] == "import_villages"
    assert in_task["task"] == "tests.history.rename_village"
    assert after_task == {"command": "import_villages"}


def test_history_context_is_stored_on_the_event(yangjia):
    # when
    with history_context(command="import_villages", file="villages.xlsx"):
        Village.objects.filter(pk=yangjia.pk).update(name="杨家庄")

    # then
    assert latest_context(yangjia) == {"command": "import_villages", "file": "villages.xlsx"}


def test_leaving_a_history_context_clears_it_for_the_rest_of_the_transaction(yangjia):
    # given
    with history_context(command="import_villages"):
        Village.objects.filter(pk=yangjia.pk).update(name="杨家庄")

    # when
    Village.objects.filter(pk=yangjia.pk).update(name="杨家村")

    # then
    assert latest_context(yangjia) is None
