"""The import and export dialogs in a real browser (IE-01 ... IE-10): a CSV of 1,000
records chosen as a file, previewed (nothing written yet), imported with progress, then
in the timeline's store and, after the sync, on the server; third-party CSV pasted;
a dropped file and refused spreadsheets; the export downloaded and imported again."""

import csv
import io
import random

import pytest

from .helpers import (
    fits,
    local,
    login_app,
    open_app,
    open_dialog,
    save_screenshot,
    server_records,
    settled,
    sync_until_idle,
    token_of,
)

pytestmark = pytest.mark.e2e

MARCH = (local(2024, 3, 1), local(2024, 4, 1))
TAGS = [
    "#client1 #code",
    "#client1 #meeting",
    "#client2 #design",
    "#admin",
    "#client2 #code #paid",
]


def month_csv(n=1000):
    """A month of made-up records as our export's CSV: [(key, t1, t2, tags, ds)], text."""
    rnd = random.Random(6)
    rows = []
    per_day = -(-n // 31)
    for i in range(n):
        day, slot = divmod(i, per_day)
        t1 = local(2024, 3, 1 + day, 7) + slot * 25 * 60 + rnd.randint(0, 120)
        t2 = t1 + rnd.randint(5, 22) * 60
        tags = TAGS[i % len(TAGS)]
        ds = f'{tags} task {i}, part "{i % 7}"'
        rows.append((f"imp{i:05d}", t1, t2, tags, ds))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["key", "start", "stop", "tags", "description"])
    for key, t1, t2, tags, ds in rows:
        w.writerow([key, t1, t2, tags, ds])
    return rows, out.getvalue()


def open_import(page):
    open_dialog(page, "importdialog", "ImportDialog")
    page.wait_for_selector(".tt-import-dialog")


def test_import_1000_records_to_timeline_and_server(make_page, site_server, tmp_path):
    page = make_page()
    assert login_app(page, site_server) == "alice"
    rows, text = month_csv(1000)
    path = tmp_path / "march.csv"
    path.write_text(text, encoding="utf-8")

    open_import(page)
    assert "sandbox" in page.inner_text(".tt-im-tip")
    page.set_input_files(".tt-im-file", str(path))
    page.wait_for_selector(".tt-im-summary")
    assert (
        page.inner_text(".tt-im-summary")
        == "1,000 records (1,000 new) from 01-03-2024 – 31-03-2024"
    )
    assert "Recognised a TimeTagger export." in page.inner_text(".tt-im-log")
    assert page.inner_text(".tt-im-import") == "Import 1,000 records"
    preview = page.locator(".tt-im-table tbody tr")
    assert preview.count() == 12
    assert "task 0, part" in preview.first.inner_text()
    # the preview wrote nothing
    assert page.evaluate("window.ttapp.store.records.get_all_records(true).length") == 0
    save_screenshot(page, "import-desktop")

    page.click(".tt-im-import")
    page.wait_for_selector(".tt-im-done")
    assert page.inner_text(".tt-im-progress-text") == "Imported 1,000 records."
    assert page.inner_text(".tt-im-import") == "Import done"

    # in the timeline's store, with the right times and descriptions
    got = page.evaluate(
        "([t1, t2]) => window.ttapp.store.records.get_records(t1, t2).map((r) => [r.key, r.t1, r.t2, r.ds])",
        list(MARCH),
    )
    assert len(got) == 1000
    by_key = {g[0]: g for g in got}
    for key, t1, t2, _tags, ds in rows:
        assert by_key[key][1:] == [t1, t2, ds]
    # the timeline shows March with the imported time
    page.click(".tt-im-show")
    assert page.locator(".tt-import-dialog").count() == 0
    page.wait_for_function(
        "([a, b]) => { const r = window.ttapp.get_range(); return r[0] === a && r[1] === b; }",
        arg=list(MARCH),
    )
    settled(page)
    stats = page.evaluate(
        "([t1, t2]) => window.ttapp.store.records.get_stats(t1, t2)", list(MARCH)
    )
    assert round(sum(stats.values())) == sum(t2 - t1 for _, t1, t2, _, _ in rows)
    save_screenshot(page, "import-timeline")

    # on the server after the sync
    assert sync_until_idle(page) == "done"
    on_server = server_records(site_server, token_of(page), *MARCH)
    assert len(on_server) == 1000
    for key, t1, t2, _tags, ds in rows:
        r = on_server[key]
        assert (r["t1"], r["t2"], r["ds"]) == (t1, t2, ds)
    assert page.js_errors == []


TOGGL = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount ()\r\n"
    'Alice,a@example.com,Acme Corp,Website,,Landing page copy,Yes,2024-03-12,09:00:00,2024-03-12,10:30:00,01:30:00,"Deep work, Writing",\r\n'
    "Alice,a@example.com,,Internal,,Weekly sync,No,2024-03-12,13:00:00,2024-03-12,13:30:00,00:30:00,,\r\n"
    "Alice,a@example.com,Acme Corp,Website,,broken row,Yes,2024-03-12,nonsense,2024-03-12,14:00:00,00:30:00,,\r\n"
)


def test_paste_toggl_csv_preview_then_import(desk):
    page = desk
    open_import(page)
    assert "sandbox" in page.inner_text(".tt-im-tip")
    page.fill(".tt-im-text", TOGGL)
    page.click(".tt-im-analyse")
    page.wait_for_selector(".tt-im-summary")
    assert page.inner_text(".tt-im-format") == "Toggl Track CSV export"
    assert page.inner_text(".tt-im-summary").startswith(
        "2 records (2 new) from 12-03-2024"
    )
    assert "1 row left out" in page.inner_text(".tt-im-errors summary")
    assert "Row 4:" in page.inner_text(".tt-im-errors")
    cells = page.locator(".tt-im-table tbody tr").all_inner_texts()
    # (the preview shows tags as the timeline does, lower case; stored as typed)
    assert "#acme-corp #website #deep-work #writing Landing page copy" in cells[
        0
    ].replace("\t", " ")
    assert "#internal Weekly sync" in cells[1].replace("\t", " ")
    columns = page.inner_text(".tt-im-columns")
    assert "Client → client → tag" in columns and "Email (ignored)" in columns
    assert page.evaluate("window.ttapp.store.records.get_all_records(true).length") == 0
    # editing the text asks for a new analysis
    page.fill(".tt-im-text", TOGGL + " ")
    assert page.is_disabled(".tt-im-import")
    page.click(".tt-im-analyse")
    page.wait_for_selector(".tt-im-import:not([disabled])")
    page.click(".tt-im-import")
    page.wait_for_selector(".tt-im-done")
    ds = sorted(
        page.evaluate("window.ttapp.store.records.get_all_records().map((r) => r.ds)")
    )
    assert ds == [
        "#Acme-Corp #Website #Deep-work #Writing Landing page copy",
        "#Internal Weekly sync",
    ]
    assert page.js_errors == []


def _drop_file(page, name, content, mime="text/csv"):
    page.evaluate(
        """([name, content, mime]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([content], name, {type: mime}));
            const area = document.querySelector('.tt-im-text');
            area.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
            window.__dragover_green = area.classList.contains('tt-dragover');
            area.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""",
        [name, content, mime],
    )


def test_drop_a_file_and_refuse_spreadsheets(desk):
    page = desk
    open_import(page)
    _drop_file(page, "hours.xlsx", "PK\x03\x04", "application/vnd.ms-excel")
    assert page.evaluate("window.__dragover_green") is True
    assert "save or export the sheet as CSV" in page.inner_text(".tt-im-result")
    assert page.input_value(".tt-im-text") == ""
    text = "start;stop;description\n2024-03-13 09:00;2024-03-13 10:00;#x1 dropped\n"
    _drop_file(page, "hours.csv", text)
    page.wait_for_selector(".tt-im-summary")
    assert page.input_value(".tt-im-text") == text
    assert "Read hours.csv" in page.inner_text(".tt-im-filename")
    assert "Separator: semicolon." in page.inner_text(".tt-im-log")
    assert not page.evaluate(
        "document.querySelector('.tt-im-text').classList.contains('tt-dragover')"
    )
    assert page.js_errors == []


def test_import_on_a_phone(phone):
    page = phone
    open_import(page)
    _, text = month_csv(40)
    page.fill(".tt-im-text", text)
    page.click(".tt-im-analyse")
    page.wait_for_selector(".tt-im-summary")
    assert fits(page, ".tt-import-dialog") == []
    page.evaluate(
        "document.querySelector('.tt-im-summary').scrollIntoView({block: 'center'})"
    )
    save_screenshot(page, "import-phone")
    assert page.js_errors == []


def test_export_round_trip(desk, site_server, tmp_path):
    page = desk
    _, text = month_csv(300)
    open_import(page)
    page.fill(".tt-im-text", text)
    page.click(".tt-im-analyse")
    page.click(".tt-im-import")
    page.wait_for_selector(".tt-im-done")
    page.keyboard.press("Escape")
    before = page.evaluate(
        "window.ttapp.store.records.get_all_records().map((r) => [r.key, r.t1, r.t2, r.ds]).sort()"
    )

    open_dialog(page, "exportdialog", "ExportDialog")
    page.wait_for_selector(".tt-ex-table")
    assert page.inner_text(".tt-ex-status") == "Found 300 records."
    assert page.locator(".tt-ex-table tr").count() == 101  # header + the first 100
    page.click(".tt-seg:has-text('ISO 8601')")
    page.wait_for_function(
        "document.querySelector('.tt-ex-table td:nth-child(2)').textContent.endsWith('Z')"
    )
    with page.expect_download() as info:
        page.click(".tt-ex-csv")
    assert info.value.suggested_filename == "timetagger-export-20240314.csv"
    exported = open(info.value.path(), encoding="utf-8", newline="").read()
    table = list(csv.reader(io.StringIO(exported, newline="")))
    assert table[0] == ["key", "start", "stop", "tags", "description"]
    assert len(table) == 301
    assert all(row[1].endswith("Z") and row[2].endswith("Z") for row in table[1:])
    page.keyboard.press("Escape")

    # the exported file imports into an empty sandbox as the same records
    open_app(page, site_server)
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    open_import(page)
    page.set_input_files(".tt-im-file", str(path))
    page.wait_for_selector(".tt-im-summary")
    page.click(".tt-im-import")
    page.wait_for_selector(".tt-im-done")
    after = page.evaluate(
        "window.ttapp.store.records.get_all_records().map((r) => [r.key, r.t1, r.t2, r.ds]).sort()"
    )
    assert after == before
    assert page.js_errors == []
