"""Categories and tiers referenced by code, not by display name (issue 9).

Until now scheme documents, the indicator rows made from them, run snapshots and results
named categories (and, in snapshots, tiers) by display name, so renaming a category changed
which indicators applied and how units were grouped. Every stored reference becomes the
code: scheme documents (their text rewritten only where a category is named, comments and
layout kept), Indicator.applies_categories, each run's document, input units, benchmarks and
its results (category and the trace's category). Labels that name no category are left as
they are. A run's inputs stay a consistent snapshot (document and units both rekeyed), so it
re-scores to the same results; the reverse migration puts the names back.
"""

from django.db import migrations

from duibiao.schemes.categories import categories_rekey

BATCH = 200


def _mapping(model) -> dict[str, str]:
    """Display name → code, leaving out a name that is some other row's code (codes win)."""
    pairs = dict(model.objects.values_list("name", "code"))
    codes = set(pairs.values())
    return {name: code for name, code in pairs.items() if name not in codes}


def _schemes(apps, categories: dict[str, str]) -> None:
    SchemeVersion = apps.get_model("assessment", "SchemeVersion")
    Indicator = apps.get_model("assessment", "Indicator")
    for pk, document in SchemeVersion.objects.values_list("pk", "document").iterator(chunk_size=BATCH):
        rekeyed = categories_rekey(document, categories)
        if rekeyed != document:
            SchemeVersion.objects.filter(pk=pk).update(document=rekeyed)
    for pk, applies in Indicator.objects.values_list("pk", "applies_categories").iterator(chunk_size=BATCH):
        rekeyed = [categories.get(c, c) for c in applies or []]
        if rekeyed != (applies or []):
            Indicator.objects.filter(pk=pk).update(applies_categories=rekeyed)


def _inputs(inputs, categories: dict[str, str], tiers: dict[str, str]):
    for row in (inputs or {}).get("units", []):
        row["category"] = categories.get(row.get("category"), row.get("category"))
        groups = row.get("groups") or {}
        if "tier" in groups:
            groups["tier"] = tiers.get(groups["tier"], groups["tier"])
    return inputs


def _runs(apps, categories: dict[str, str], tiers: dict[str, str]) -> None:
    ScoringRun = apps.get_model("assessment", "ScoringRun")
    RunResult = apps.get_model("assessment", "RunResult")
    rows = ScoringRun.objects.values_list("pk", "document", "inputs", "benchmarks")
    for pk, document, inputs, benchmarks in rows.iterator(chunk_size=BATCH):
        ScoringRun.objects.filter(pk=pk).update(
            document=categories_rekey(document, categories),
            inputs=_inputs(inputs, categories, tiers),
            benchmarks={categories.get(k, k): v for k, v in benchmarks.items()} if benchmarks else benchmarks,
        )
    for category, code in categories.items():
        for result in RunResult.objects.filter(category=category).only("pk", "trace").iterator(chunk_size=BATCH):
            trace = result.trace
            if isinstance(trace, dict) and trace.get("category") == category:
                trace["category"] = code
            RunResult.objects.filter(pk=result.pk).update(category=code, trace=trace)


def forward(apps, schema_editor) -> None:
    categories = _mapping(apps.get_model("org", "Category"))
    tiers = _mapping(apps.get_model("org", "Tier"))
    _schemes(apps, categories)
    _runs(apps, categories, tiers)


def backward(apps, schema_editor) -> None:
    def inverse(model) -> dict[str, str]:
        return {code: name for name, code in _mapping(model).items()}

    categories = inverse(apps.get_model("org", "Category"))
    tiers = inverse(apps.get_model("org", "Tier"))
    _schemes(apps, categories)
    _runs(apps, categories, tiers)


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0008_indicator_item_kind"),
        ("org", "0003_cadres_moved_out"),
    ]

    operations = [migrations.RunPython(forward, backward)]
