"""Agreement status "expected" (anticipated, not concluded) and the relationship predicate "supporter of"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0003_list_ordering_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="agreement",
            name="agreement_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="relationship",
            name="relationship_predicate_valid",
        ),
        migrations.AlterField(
            model_name="agreement",
            name="status",
            field=models.CharField(
                choices=[
                    ("expected", "Expected (not concluded)"),
                    ("proposed", "Proposed"),
                    ("signed", "Signed"),
                    ("ratified", "Ratified"),
                    ("in_force", "In force"),
                    ("lapsed", "Lapsed"),
                ],
                db_index=True,
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="historicalagreement",
            name="status",
            field=models.CharField(
                choices=[
                    ("expected", "Expected (not concluded)"),
                    ("proposed", "Proposed"),
                    ("signed", "Signed"),
                    ("ratified", "Ratified"),
                    ("in_force", "In force"),
                    ("lapsed", "Lapsed"),
                ],
                db_index=True,
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="historicalrelationship",
            name="predicate",
            field=models.CharField(
                choices=[
                    ("leader_of", "leader of"),
                    ("head_of_state_of", "head of state of"),
                    ("founder_of", "founder of"),
                    ("member_of", "member of"),
                    ("employed_by", "employed by"),
                    ("part_of", "part of"),
                    ("located_in", "located in"),
                    ("operated_by", "operated by"),
                    ("child_of", "child of"),
                    ("grandchild_of", "grandchild of"),
                    ("ally_of", "ally of"),
                    ("partner_of", "strategic partner of"),
                    ("adversary_of", "adversary of"),
                    ("at_war_with", "at war with"),
                    ("supplier_of", "arms supplier of"),
                    ("publisher_of", "publisher of"),
                    ("successor_of", "successor of"),
                    ("supporter_of", "supporter of"),
                ],
                db_index=True,
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="relationship",
            name="predicate",
            field=models.CharField(
                choices=[
                    ("leader_of", "leader of"),
                    ("head_of_state_of", "head of state of"),
                    ("founder_of", "founder of"),
                    ("member_of", "member of"),
                    ("employed_by", "employed by"),
                    ("part_of", "part of"),
                    ("located_in", "located in"),
                    ("operated_by", "operated by"),
                    ("child_of", "child of"),
                    ("grandchild_of", "grandchild of"),
                    ("ally_of", "ally of"),
                    ("partner_of", "strategic partner of"),
                    ("adversary_of", "adversary of"),
                    ("at_war_with", "at war with"),
                    ("supplier_of", "arms supplier of"),
                    ("publisher_of", "publisher of"),
                    ("successor_of", "successor of"),
                    ("supporter_of", "supporter of"),
                ],
                db_index=True,
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["expected", "proposed", "signed", "ratified", "in_force", "lapsed"])
                ),
                name="agreement_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="relationship",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "predicate__in",
                        [
                            "leader_of",
                            "head_of_state_of",
                            "founder_of",
                            "member_of",
                            "employed_by",
                            "part_of",
                            "located_in",
                            "operated_by",
                            "child_of",
                            "grandchild_of",
                            "ally_of",
                            "partner_of",
                            "adversary_of",
                            "at_war_with",
                            "supplier_of",
                            "publisher_of",
                            "successor_of",
                            "supporter_of",
                        ],
                    )
                ),
                name="relationship_predicate_valid",
            ),
        ),
    ]
