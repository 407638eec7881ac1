from history.selectors import object_history
from organisation.models import Village, VillageEvent


def _changes(entry):
    return {change.label: (change.before, change.after) for change in entry.changes}


def test_save_queryset_update_and_bulk_create_are_all_recorded_with_before_and_after(town, yangjia):
    # given
    dongguan = Village.objects.create(town=town, name="东官庄村", code="371302109202")

    # when
    yangjia.name = "杨家庄"
    yangjia.save()
    Village.objects.filter(town=town).update(is_key_village=True)
    Village.objects.bulk_create(
        [
            Village(town=town, name="西岭村", code="371302109203"),
            Village(town=town, name="南湖村", code="371302109204"),
        ]
    )

    # then every village has its events, newest first, with the values before and after
    yangjia_history = object_history(obj=yangjia).entries
    assert [entry.action for entry in yangjia_history] == ["update", "update", "insert"]
    assert _changes(yangjia_history[0]) == {"key poverty-alleviation village": ("no", "yes")}
    assert _changes(yangjia_history[1]) == {"name": ("杨家庄村", "杨家庄")}
    assert _changes(yangjia_history[2])["name"] == ("—", "杨家庄村")
    assert _changes(yangjia_history[2])["town"] == ("—", "汪沟镇")

    dongguan_history = object_history(obj=dongguan).entries
    assert [entry.action for entry in dongguan_history] == ["update", "insert"]
    assert _changes(dongguan_history[0]) == {"key poverty-alleviation village": ("no", "yes")}

    for name in ["西岭村", "南湖村"]:
        village = Village.objects.get(name=name)
        assert VillageEvent.objects.filter(pgh_obj_id=village.pk, pgh_label="insert").count() == 1
        [created] = object_history(obj=village).entries
        assert created.label == "created"
        assert _changes(created)["name"] == ("—", name)


def test_delete_is_recorded(yangjia):
    # given
    village_id = yangjia.pk

    # when
    yangjia.delete()

    # then
    assert list(
        VillageEvent.objects.filter(pgh_obj_id=village_id).order_by("pgh_id").values_list("pgh_label", flat=True)
    ) == ["insert", "delete"]
