"""Categories (分类) as schemes and results refer to them: by code. A category's display name is
for people; renaming it must change no scheme, no snapshot and no result (issue 9)."""

from __future__ import annotations

from duibiao.org.models import Category


def category_names() -> dict[str, str]:
    """Code → display name of every category, in the categories' order. Not gated: the names
    of categories are the district's vocabulary, not anyone's data."""
    return dict(Category.objects.order_by("order", "code").values_list("code", "name"))


def category_codes_by_name() -> dict[str, str]:
    """Display name → code, for reading a document or a file that names categories the way
    people write them. A name that is also some category's code is left out: codes win."""
    names = category_names()
    return {name: code for code, name in names.items() if name not in names}
