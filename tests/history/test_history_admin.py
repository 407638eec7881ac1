from django.urls import reverse

from history.models import Checkpoint, Seal
from history.services import history_checkpoint_write
from organisation.models import Village


def test_admin_shows_seals_and_checkpoints_but_cannot_change_them(client, admin_user, yangjia):
    # given
    checkpoint = history_checkpoint_write()
    seal = Seal.objects.order_by("-id").first()
    client.force_login(admin_user)

    # when / then
    for model, obj in [(Seal, seal), (Checkpoint, checkpoint)]:
        name = model._meta.model_name
        assert client.get(reverse(f"admin:history_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:history_{name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:history_{name}_add")).status_code == 403
        assert client.get(reverse(f"admin:history_{name}_delete", args=[obj.pk])).status_code == 403
        assert client.post(reverse(f"admin:history_{name}_change", args=[obj.pk]), {}).status_code == 403


def test_admin_shows_how_many_events_a_seal_covers(client, admin_user, yangjia):
    # given one statement that wrote three villages
    Village.objects.bulk_create(
        [Village(town=yangjia.town, name=f"新村{n}", code=f"37130210930{n}") for n in range(3)]
    )
    seal = Seal.objects.order_by("-id").first()
    client.force_login(admin_user)

    # when
    changelist = client.get(reverse("admin:history_seal_changelist"))
    change = client.get(reverse("admin:history_seal_change", args=[seal.pk]))

    # then
    [listed] = [row for row in changelist.context["cl"].result_list if row.pk == seal.pk]
    assert listed.event_total == 3
    assert f"#{seal.event_ids[0]} … #{seal.event_ids[-1]}" in change.content.decode()
