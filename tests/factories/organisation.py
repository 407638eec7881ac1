import factory
from django.contrib.auth import get_user_model

from organisation.models import District, Town, TownKind, Village
from organisation.roles import Role
from organisation.services import staff_post_assign

PASSWORD = "test-pass-123"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = "兰山区"
    code = "371302"


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("name",)

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}镇")
    kind = TownKind.TOWN
    code = factory.Sequence(lambda n: f"371302{n + 100:03d}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")
    code = factory.Sequence(lambda n: f"371302{n + 100:06d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"干部{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def post_user(role: Role, *, town=None, village=None, **user_fields):
    """A user holding ``role`` in ``town`` or ``village``, with object permissions granted."""
    user = UserFactory(**user_fields)
    staff_post_assign(user=user, role=role, town=town, village=village)
    user.refresh_from_db()
    return user
