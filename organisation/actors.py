"""Who acts: the type of the ``user`` that scope functions, ``may_*`` checks and selectors take.

A page passes ``request.user``, which is a signed-in ``User`` or an ``AnonymousUser`` (the scope of an anonymous
user is empty and every ``may_*`` check says no). Write services take a signed-in ``User``
(``django.contrib.auth.models.User``: the project keeps Django's user model).
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = User | AnonymousUser
