"""SIPRI Trade Register CSV: ``import_sipri`` (a dataset source, claims quoting rows, transfers), ``?format=sipri``
and the round trip between them, the order/delivery split of a transfer and its migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kb import services
from kb.choices import ActorKind, ClaimStatus, SourceKind, TransferCategory, TransferStatus
from kb.ingest import sipri
from kb.models import ArmsTransfer, Claim, Source
from kb.selectors.search import search_filter

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "sipri_trade_register.csv"
# Every field of a transfer that the SIPRI layout carries, with kb's own columns.
FIELDS = (
    "supplier_id",
    "recipient_id",
    "category",
    "designation",
    "description",
    "ordered_quantity",
    "ordered_quantity_estimated",
    "ordered_on",
    "ordered_on_precision",
    "ordered_on_estimated",
    "quantity_low",
    "quantity_high",
    "quantity_unit",
    "delivered_quantity_estimated",
    "start_on",
    "start_on_precision",
    "end_on",
    "end_on_precision",
    "delivered_period_estimated",
    "comments",
    "status",
    "reported_by",
    "reported_on",
    "reported_on_precision",
)


@pytest.fixture
def countries(make_actor):
    return {
        "russia": make_actor("Russia", country_code="RU", aliases=["Russian Federation"]),
        "dprk": make_actor("North Korea", country_code="KP", aliases=["DPRK", "Korea, North"]),
        "iran": make_actor("Iran", country_code="IR"),
        "belarus": make_actor("Belarus", country_code="BY"),
    }


def run(path, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_sipri", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple[int, int, int, int]:
    return (
        Source.objects.count(),
        Claim.objects.count(),
        ArmsTransfer.objects.count(),
        ArmsTransfer.history.count(),
    )


def by_designation() -> dict[str, ArmsTransfer]:
    return {t.designation: t for t in ArmsTransfer.objects.all()}


# --- import ----------------------------------------------------------------------------


def test_the_sample_becomes_a_dataset_source_claims_quoting_each_row_and_transfers(countries, editor):
    out = run(SAMPLE, "--user", editor.username)
    assert "7 transfer(s) added, 0 updated, 0 unchanged; 7 claim(s) proposed." in out
    source = Source.objects.get()
    assert (source.kind, source.publisher, source.published) == (
        SourceKind.DATASET,
        "SIPRI",
        services.PartialDate(dt.date(2025, 3, 14), "day"),
    )
    assert source.title == "Transfers of major weapons: Deals with deliveries or orders made for 2018 to 2024"
    lines = SAMPLE.read_text().splitlines()
    claims = list(source.claims.order_by("start"))
    assert [c.quote for c in claims] == lines[5:]  # each row's line of the file, as it is
    assert all(source.text[c.start : c.end] == c.quote for c in claims)
    assert {c.status for c in claims} == {ClaimStatus.PROPOSED}
    assert {c.created_by for c in claims} == {editor}
    call_command("verify_kb", stdout=open("/dev/null", "w"))  # noqa: SIM115 (every anchor and reference holds)

    t = by_designation()
    kn23 = t["KN-23"]
    assert (kn23.supplier, kn23.recipient) == (countries["dprk"], countries["russia"])
    assert (kn23.category, kn23.status, kn23.description) == (
        TransferCategory.MISSILES,
        TransferStatus.REPORTED,
        "SRBM",
    )
    assert (str(kn23.ordered), kn23.ordered_on_estimated, kn23.ordered_quantity, kn23.ordered_quantity_estimated) == (
        "2023",
        True,
        100,
        True,
    )
    assert (kn23.quantity_low, kn23.quantity_high, kn23.delivered_quantity_estimated) == (100, 100, True)
    assert (str(kn23.start), str(kn23.end)) == ("2023", "2024")
    assert kn23.comments == "Hwasong-11A; incl. for use against Ukraine"
    assert (kn23.reported_by, str(kn23.reported)) == ("SIPRI Arms Transfers Database", "2025-03-14")
    assert list(kn23.evidence.all()) == [claims[0]]
    shells = t["Type-122mm"]  # (5000): bracketed numbers are estimates; 2023-2024 is a span of years
    assert (shells.category, shells.ordered_quantity, shells.ordered_quantity_estimated) == ("ammunition", 5000, True)
    assert (str(shells.start), str(shells.end), shells.delivered_quantity_estimated) == ("2023", "2024", True)
    assert shells.comments == 'Millions of rounds; SIPRI does not count ammunition, listed here as "other"'
    mrl = t["M-1991"]  # nothing delivered yet: planned
    assert (mrl.status, mrl.quantity_low, mrl.start, mrl.ordered_on_estimated) == ("planned", None, None, False)
    assert t["Igla-S"].recipient == countries["dprk"] and t["Igla-S"].category == TransferCategory.MISSILES
    su35 = t["Su-35"]  # a trailing blank column is taken
    assert (su35.category, su35.ordered_quantity, su35.quantity_low, str(su35.start)) == ("aircraft", 24, 2, "2025")
    assert t["Iskander"].recipient == countries["belarus"]
    assert ArmsTransfer.history.filter(history_change_reason="import_sipri sipri_trade_register.csv").count() == 7


def test_accept_makes_the_claims_accepted_and_the_transfers_public(countries, editor):
    run(SAMPLE, "--accept", "--user", editor.username)
    assert set(Claim.objects.values_list("status", "reviewed_by")) == {(ClaimStatus.ACCEPTED, editor.pk)}
    response = Client().get("/api/v1/arms-transfers/")
    assert response.json()["count"] == 7
    # The dataset's source is public: its claims were accepted as they were stored.
    assert Client().get("/api/v1/sources/").json()["count"] == 1


def test_without_accept_the_dataset_source_waits_for_review(countries, editor):
    run(SAMPLE, "--user", editor.username)
    assert Client().get("/api/v1/sources/").json()["count"] == 0


def test_the_same_file_again_changes_nothing(countries):
    run(SAMPLE)
    before = snapshot()
    out = run(SAMPLE)
    assert "Already imported as source" in out and "nothing changed" in out
    assert snapshot() == before


def test_a_changed_file_updates_the_changed_rows_with_history(countries, editor, tmp_path):
    run(SAMPLE, "--accept")
    kn23 = by_designation()["KN-23"]
    changed = tmp_path / "register-2025.csv"
    text = SAMPLE.read_text().replace("Information generated: 14 March 2025", "Information generated: 2 June 2025")
    text = text.replace("KN-23,SRBM,100,?,2023; 2024", "KN-23,SRBM,(150),,2023; 2024; 2025")
    changed.write_text(text)
    sources, claims, transfers, history = snapshot()
    out = run(changed, "--user", editor.username)
    assert "0 transfer(s) added, 1 updated, 6 unchanged; 1 claim(s) proposed." in out
    assert snapshot() == (sources + 1, claims + 1, transfers, history + 1)
    kn23.refresh_from_db()
    assert (kn23.quantity_low, kn23.quantity_high, str(kn23.end)) == (150, 150, "2025")
    latest = kn23.history.latest("history_date")
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        editor,
        "import_sipri register-2025.csv",
    )
    quotes = sorted(c.quote[:27] for c in kn23.evidence.all())
    assert quotes == ["Russia,North Korea,2023,?,1"] * 2  # the first file's line and the changed one
    assert sorted(e.claim_id for e in latest.evidence.all()) == sorted(c.pk for c in kn23.evidence.all())
    new_claim = Source.objects.get(published_on=dt.date(2025, 6, 2)).claims.get()
    assert new_claim.status == ClaimStatus.PROPOSED and "(150)" in new_claim.quote


def test_a_row_is_the_same_deal_whatever_the_spelling_of_its_countries(countries, tmp_path):
    run(SAMPLE)
    respelled = tmp_path / "respelled.csv"
    respelled.write_text(SAMPLE.read_text().replace("Russia,North Korea,", '"Russian Federation","Korea, North",'))
    before = snapshot()
    assert "No deal changed (7 row(s) as stored): nothing was stored." in run(respelled)
    assert snapshot() == before


# --- bad files -------------------------------------------------------------------------


def refused(path, *args) -> str:
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run(path, *args)
    assert snapshot() == before, "a refused file stored something"
    return str(caught.value)


def test_a_file_without_the_header_is_refused(countries, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("Supplier,Recipient,Weapon\nRussia,North Korea,KN-23\n")
    message = refused(plain)
    assert "No SIPRI Trade Register header row was found" in message and "Recipient,Supplier,Year of order" in message
    empty = tmp_path / "empty.csv"
    empty.write_text(SAMPLE.read_text().split("Russia,North Korea")[0])
    assert "no deal follows" in refused(empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00R\x00e")
    assert "not UTF-8" in refused(binary)
    assert "no such file" in refused(tmp_path / "missing.csv")


def test_bad_rows_are_refused_by_line_and_nothing_is_stored(countries, tmp_path):
    lines = SAMPLE.read_text().splitlines()
    lines[5] = lines[5].replace("Russia,North Korea,2023,?,100", "Atlantis,North Korea,2023,?,many")
    lines[7] = lines[7].replace("2024,?,120", "2024-13,?,120")
    lines[10] = lines[10].replace(",(2),?,2025", ",(30),?,2025")  # delivered 30 of 24 ordered is allowed
    lines[11] = "Belarus,Belarus,2022,,4,,Iskander,SSM launcher,4,,2022,,,,,,"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    message = refused(bad)
    assert "refused, nothing was stored" in message
    assert "line 6: Number ordered: 'many' is not a number." in message
    assert "line 6: Recipient: no actor is named “Atlantis”" in message
    assert "line 8: Year of order: “2024-13” is not a date: months run 1–12." in message
    assert "line 12: recipient: The supplier and the recipient are the same actor." in message
    assert "line 11" not in message


def test_an_ambiguous_country_name_is_refused(countries, make_actor, tmp_path):
    make_actor("Democratic People's Republic of Korea (historical)", kind=ActorKind.ORGANIZATION, aliases=["DPRK"])
    file = tmp_path / "dprk.csv"
    file.write_text(SAMPLE.read_text().replace("Russia,North Korea,2023,?,100", "Russia,DPRK,2023,?,100"))
    assert "line 6: Supplier: “DPRK” names several actors" in refused(file)


def test_an_unknown_user_is_refused(countries):
    assert "--user: no user named 'nobody'" in refused(SAMPLE, "--user", "nobody")


def test_the_import_takes_a_few_queries_whatever_the_number_of_rows(countries, tmp_path):
    lines = SAMPLE.read_text().splitlines()
    more = tmp_path / "more.csv"
    extra = [
        line.replace("Iran,Russia,2023", f"Iran,Russia,{year}") for year in range(2000, 2014) for line in lines[10:11]
    ]
    more.write_text("\n".join([*lines, *extra]) + "\n")
    with CaptureQueriesContext(connection) as few:
        run(SAMPLE)
    ArmsTransfer.objects.all().delete()
    Claim.objects.all().delete()
    Source.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        assert "21 transfer(s) added" in run(more)
    # Lookups, the source, then one bulk write per table (savepoints included): not one per row.
    assert len(few) == len(many) == 47


# --- export and round trip -------------------------------------------------------------


@pytest.fixture
def register(countries, make_claim, accepted, editor):
    """Transfers with every kind of value the layout has to carry, each backed by an accepted claim."""
    claim = accepted(make_claim())
    common = {"user": editor, "evidence": [claim]}
    russia, dprk, iran = countries["russia"], countries["dprk"], countries["iran"]
    return [
        services.transfer_create(
            **common,
            supplier=dprk,
            recipient=russia,
            category=TransferCategory.AMMUNITION,
            description="Artillery shells, 152mm and 122mm",
            designation="",
            quantity_low=1_000_000,
            quantity_high=3_000_000,
            quantity_unit="rounds",
            delivered_quantity_estimated=True,
            start_on="2023-08",
            end_on="2024-10",
            status=TransferStatus.REPORTED,
            reported_by="South Korean intelligence (NIS)",
            reported_on="2024-10-18",
            comments='-5 % of the stock; said to be "old"',
        ),
        services.transfer_create(
            **common,
            supplier=dprk,
            recipient=russia,
            category=TransferCategory.MISSILES,
            designation="KN-23",
            description="SRBM",
            ordered_on="2023",
            ordered_on_estimated=True,
            ordered_quantity=100,
            ordered_quantity_estimated=True,
            quantity_low=50,
            start_on="2020s",
            status=TransferStatus.CONFIRMED,
        ),
        services.transfer_create(
            **common,
            supplier=russia,
            recipient=iran,
            category=TransferCategory.AIRCRAFT,
            designation="Su-35",
            description="FGA aircraft",
            ordered_on="2023-01",
            ordered_quantity=24,
            quantity_high=6,
            end_on="2025",
            delivered_period_estimated=True,
            status=TransferStatus.ALLEGED,
        ),
        services.transfer_create(
            **common,
            supplier=russia,
            recipient=dprk,
            category=TransferCategory.TECHNOLOGY,
            description="Satellite programme assistance",
            status=TransferStatus.PLANNED,
        ),
    ]


def fields() -> list[tuple]:
    return sorted(ArmsTransfer.objects.values_list(*FIELDS), key=repr)


def test_format_sipri_writes_the_trade_register_layout(register, django_assert_num_queries):
    with django_assert_num_queries(2):  # the title's years, then the rows (names read in the same query)
        response = Client().get("/api/v1/arms-transfers/?format=sipri")
        text = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="arms-transfer-sipri.csv"' in response["Content-Disposition"]
    lines = text.splitlines()
    assert lines[0] == "Transfers of major weapons: Deals with deliveries or orders made for 2020 to 2025"
    assert lines[2].startswith("Information generated: ") and lines[3] == ""
    assert lines[4].startswith(",".join(sipri.HEADER) + ",kb category,")
    rows = {line.split(",")[6]: line for line in lines[5:]}
    assert rows["KN-23"].startswith("Russia,North Korea,2023,?,100,?,KN-23,SRBM,50-?,,2020s,,")
    assert rows["Su-35"].startswith("Iran,Russia,2023-01,,24,,Su-35,FGA aircraft,?-6,,(?; 2025),,")
    shells = next(line for line in lines[5:] if "Artillery shells" in line)
    assert ',1000000-3000000,?,2023-08; 2024-10,,"\'-5 % of the stock; said to be ""old""",' in shells
    web = Client().get("/transfers.sipri.csv")
    assert b"".join(web.streaming_content).decode() == text
    assert Client().get("/transfers/?format=sipri&category=missiles").status_code == 200


def test_export_then_import_into_an_empty_base_gives_the_same_transfers(register, editor, tmp_path):
    before = fields()
    response = Client().get("/api/v1/arms-transfers/?format=sipri")
    exported = tmp_path / "kb-export.csv"
    exported.write_bytes(b"".join(response.streaming_content))
    for transfer in register:
        services.record_delete(transfer, user=editor)
    assert not ArmsTransfer.objects.exists()
    assert "4 transfer(s) added" in run(exported, "--accept")
    assert fields() == before
    again = Client().get("/api/v1/arms-transfers/?format=sipri")
    assert b"".join(again.streaming_content) == exported.read_bytes()  # and back out, byte for byte


def test_importing_kb_s_own_export_over_its_transfers_changes_nothing(register, tmp_path):
    exported = tmp_path / "kb-export.csv"
    exported.write_bytes(b"".join(Client().get("/transfers.sipri.csv").streaming_content))
    before = snapshot()
    assert "No deal changed (4 row(s) as stored)" in run(exported)
    assert snapshot() == before


def test_the_api_shows_and_takes_the_order_and_the_delivery(register, editor, countries):
    client = Client()
    client.force_login(editor)
    body = {
        "supplier": countries["russia"].pk,
        "recipient": countries["belarus"].pk,
        "category": "missiles",
        "description": "SSM launcher",
        "designation": "Iskander",
        "status": "confirmed",
        "ordered_on": "2022",
        "ordered_on_estimated": True,
        "ordered_quantity": 4,
        "quantity_low": 4,
        "quantity_high": 4,
        "start_on": "2022",
        "end_on": "2023",
        "comments": "Nuclear-capable",
    }
    response = client.post("/api/v1/arms-transfers/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["ordered_on"], data["ordered_on_precision"], data["ordered_on_estimated"]) == ("2022", "year", True)
    assert (data["ordered_quantity"], data["ordered_quantity_estimated"], data["comments"]) == (
        4,
        False,
        "Nuclear-capable",
    )
    assert (data["supplier"]["slug"], data["category"], data["quantity_low"]) == ("russia", "missiles", 4)
    bad = client.post("/api/v1/arms-transfers/", {**body, "ordered_on": "2022-13"}, content_type="application/json")
    assert bad.status_code == 400 and "ordered_on" in bad.json()
    csv = b"".join(Client().get("/api/v1/arms-transfers/?format=csv").streaming_content).decode()
    header = csv.splitlines()[0].split(",")  # the JSON's fields, in its order, a precision after each date
    assert header[header.index("ordered_quantity") :][:6] == [
        "ordered_quantity",
        "ordered_quantity_estimated",
        "ordered_on",
        "ordered_on_precision",
        "ordered_on_estimated",
        "quantity_low",
    ]
    assert {"delivered_quantity_estimated", "delivered_period_estimated", "comments"} <= set(header)


def test_the_transfer_page_shows_the_order_and_the_estimates(register):
    kn23 = register[1]
    page = Client().get(kn23.get_absolute_url()).content.decode()
    assert '<dt>Ordered</dt><dd>100 <span class="muted">(estimate)</span>, 2023' in page
    register_page = Client().get("/transfers/").content.decode()
    assert 'id="sipri-download"' in register_page


# --- the migration ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_migration_keeps_quantities_and_periods_and_flags_ranges_as_estimates():
    executor = MigrationExecutor(connection)
    executor.migrate([("kb", "0013_actor_sort_name")])
    try:
        old = executor.loader.project_state([("kb", "0013_actor_sort_name")]).apps
        Actor, Transfer = old.get_model("kb", "Actor"), old.get_model("kb", "ArmsTransfer")
        dprk = Actor.objects.create(name="North Korea", slug="north-korea", kind="state")
        russia = Actor.objects.create(name="Russia", slug="russia", kind="state")
        common = {"supplier": dprk, "recipient": russia, "category": "ammunition", "status": "reported"}
        values = {
            "range": (1000, 3000, "2023-08-01", "month", "2024-01-01", "year"),
            "exact": (24, 24, "2023-01-01", "year", None, ""),
            "at least": (100, None, None, "", None, ""),
            "none": (None, None, None, "", None, ""),
        }
        for name, (low, high, start, start_p, end, end_p) in values.items():
            Transfer.objects.create(
                **common,
                description=name,
                quantity_low=low,
                quantity_high=high,
                start_on=start,
                start_on_precision=start_p,
                end_on=end,
                end_on_precision=end_p,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {
        t.description: (
            t.quantity_low,
            t.quantity_high,
            t.start_on and t.start_on.isoformat(),
            t.start_on_precision,
            t.end_on and t.end_on.isoformat(),
            t.end_on_precision,
        )
        for t in ArmsTransfer.objects.all()
    }
    assert rows == values
    flags = dict(ArmsTransfer.objects.values_list("description", "delivered_quantity_estimated"))
    assert flags == {"range": True, "exact": False, "at least": True, "none": False}
    assert set(ArmsTransfer.objects.values_list("ordered_quantity", "ordered_on", "comments")) == {(None, None, "")}
    if connection.vendor == "sqlite":  # the rebuilt tables keep their full-text triggers and list-order indexes
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")
            made = {name for (name,) in cursor.fetchall()}
        for table in ("kb_source", "kb_armstransfer"):
            assert {f"{table}_search_{when}" for when in ("insert", "update", "delete")} <= made
        assert {"kb_source_published", "kb_armstransfer_start"} <= made
    found = ArmsTransfer.objects.filter(pk__in=search_filter(queryset=ArmsTransfer.objects.all(), q="range"))
    services.transfer_update(found.get(), user=None, description="range of shells")
    assert search_filter(queryset=ArmsTransfer.objects.all(), q="shells").get().description == "range of shells"
