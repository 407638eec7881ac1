from django.urls import reverse

from history.models import Checkpoint, Seal
from history.services import history_checkpoint_write


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
