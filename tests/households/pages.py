"""The household page as a user sees it once every tab is open: the tabs load when first shown (htmx)."""

import re

from django.urls import reverse

# How htmx asks for a tab (without it, the tab's address sends to the household page open on the tab).
HTMX = {"HX-Request": "true"}
TAB_LOADER = re.compile(r'hx-get="(/households/\d+/tabs/[\w-]+/)"')


def household_page(client, household_id: int, **extra) -> str:
    """The page's HTML followed by each tab's, every response a 200."""
    response = client.get(reverse("households:household_detail", args=[household_id]), **extra)
    assert response.status_code == 200
    html = response.content.decode()
    tabs = TAB_LOADER.findall(html)
    assert tabs, "the household page loads no tab"
    parts = [html]
    for url in tabs:
        tab = client.get(url, headers=HTMX, **extra)
        assert tab.status_code == 200, url
        parts.append(tab.content.decode())
    return "\n".join(parts)
