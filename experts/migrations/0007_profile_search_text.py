from django.db import migrations, models

from academy_portal.core.search_indexes import AddTrigramIndex
from academy_portal.core.text import fold_for_search


def fill_profile_search_text(apps, schema_editor):
    # experts.models.expert_profile_search_text: the folded position and affiliation as typed.
    Expert = apps.get_model("experts", "Expert")
    batch = []
    experts = Expert.objects.only("position", "affiliation_text").order_by("pk")
    for expert in experts.iterator(chunk_size=2000):
        expert.profile_search_text = fold_for_search(
            f"{expert.position} {expert.affiliation_text}"
        )
        batch.append(expert)
        if len(batch) == 1000:
            Expert.objects.bulk_update(batch, ["profile_search_text"])
            batch = []
    Expert.objects.bulk_update(batch, ["profile_search_text"])


class Migration(migrations.Migration):
    """The admin's expert search reads positions and typed affiliations from a folded,
    trigram-indexed column (a scan of every expert's row before, and diacritics had to be
    typed), and the nationality filter reads the nationalities present from an index."""

    dependencies = [
        ("experts", "0006_search_trigram_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="expert",
            name="profile_search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_profile_search_text, migrations.RunPython.noop),
        AddTrigramIndex(
            model_name="expert",
            column="profile_search_text",
            name="experts_expert_profile_search_trgm",
        ),
        migrations.AddIndex(
            model_name="expert",
            index=models.Index(fields=["nationality"], name="experts_expert_nationality"),
        ),
    ]
