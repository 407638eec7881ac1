"""The household page is made of sections that each area of the file contributes.

An area (lifecycle, welfare, quality, ...) lists its ``DetailSection``s in its views module as
``detail_sections``; the household detail page shows each as a tab, with the context its
``context`` function returns for that household and user, plus ``household`` and ``can_change``
(whether the user may change this household). A tab is drawn on its own when it is first shown
(``households:household_tab``), or with the page when the address names it (``?tab=<key>``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DetailSection:
    key: str  # the tab's id
    label: str  # translatable
    template: str
    context: Callable[..., dict[str, Any]]  # context(household=..., user=...) -> dict
