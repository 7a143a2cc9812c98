from django.db import migrations

from academy_portal.core.search_indexes import AddTrigramIndex


class Migration(migrations.Migration):
    """Staff who may see personal details find an invitation by the name on the passport; that
    search is `UPPER(passport_name) LIKE '%WORD%'` OR the expert's folded name. With a trigram
    index on each side, PostgreSQL answers the OR from two indexes instead of reading every
    invitation (nothing on SQLite)."""

    dependencies = [
        ("forums", "0013_invitation_list_index"),
    ]

    operations = [
        AddTrigramIndex(
            model_name="invitation",
            column="passport_name",
            name="forums_invitation_passport_trgm",
            upper=True,
        ),
    ]
