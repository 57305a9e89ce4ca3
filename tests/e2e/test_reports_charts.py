"""Charts, rates and earnings of the report in a real browser: the two charts drawn
in the tag colours with the right totals (pixels counted on the canvas), hourly rates
set through the tag dialog and shown as earnings with the rule, the CSV's amount
column read back, and the PDF's charts page read with pypdf."""

import csv
import io
import os

import pytest

from .helpers import ARTIFACTS, add_records, open_dialog, save_screenshot, set_range
from .test_reports_dialog import RECORDS, WEEK, open_report

pytestmark = pytest.mark.e2e

CODE = "#E6316C"
MEETING = "#387DD2"


@pytest.fixture
def desk(desk):
    add_records(desk, RECORDS)
    set_range(desk, *WEEK)
    desk.evaluate(
        """([a, b]) => {
            taginfo.set_tag_info('#code', {color: a, priority: 1, targets: {}});
            taginfo.set_tag_info('#meeting', {color: b, priority: 1, targets: {}});
        }""",
        [CODE, MEETING],
    )
    return desk


# Pixels of a colour on a canvas (exact RGB, fully opaque).
COUNT_PIXELS = """([selector, hex]) => {
    const c = document.querySelector(selector);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
        if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) n++;
    }
    return n;
}"""


def pixels(page, selector, color):
    return page.evaluate(COUNT_PIXELS, [selector, color])


def test_charts_drawn_in_tag_colours_with_the_right_totals(desk):
    page = desk
    open_report(page, "tagz")
    tags_chart = ".tt-rp-chart-tags"
    periods_chart = ".tt-rp-chart-periods"
    page.wait_for_selector(tags_chart)
    # 6:00 in all: #code leads 4:30 (two groups), #meeting 1:30 (two groups)
    assert page.get_attribute(tags_chart, "data-total") == str(6 * 3600)
    assert (
        page.get_attribute(tags_chart, "aria-label")
        == "Time per tag: #code 4h30, #meeting 1h30"
    )
    code = pixels(page, tags_chart, CODE)
    meeting = pixels(page, tags_chart, MEETING)
    assert code > 0 and meeting > 0
    # equal bar heights: the areas are as the durations, 4:30 to 1:30
    assert abs(code / meeting - 3) < 0.15, (code, meeting)
    # per day: Mon 1:30 #code + 0:30 #meeting, Tue 2:15 #code, Wed 0:45, Thu 1:00 #meeting
    assert page.get_attribute(periods_chart, "data-columns") == "7"
    label = page.get_attribute(periods_chart, "aria-label")
    assert label.startswith("Time per day: 11-03-2024 2h, 12-03-2024 2h15, ")
    assert "14-03-2024 1h" in label and "17-03-2024 0m" in label
    code_area = pixels(page, periods_chart, CODE)
    meeting_area = pixels(page, periods_chart, MEETING)
    assert code_area > 0 and meeting_area > 0
    assert abs(code_area / meeting_area - 3) < 0.3, (code_area, meeting_area)
    assert page.text_content(".tt-rp-chart-period") == "day"
    save_screenshot(page, "report-charts-light")

    # the dark theme: the charts are drawn again with its light text colour
    page.evaluate("settings.set('darkmode', 2)")
    page.evaluate("basedialog.close_all()")
    open_report(page)
    text_pixels = page.evaluate(
        """() => {
            const c = document.querySelector('.tt-rp-chart-tags');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i] > 200 && d[i + 1] > 200 && d[i + 2] > 200 && d[i + 3] > 200) n++;
            }
            return n;
        }"""
    )
    assert text_pixels > 50, "tag labels in the dark theme's light text colour"
    save_screenshot(page, "report-charts-dark")


def test_rates_from_the_tag_dialog_earnings_and_csv_amounts(desk, tmp_path):
    page = desk
    page.evaluate("settings.set('currency', 'EUR')")
    for tag, rate in [("#client1", "80"), ("#code", "100")]:
        open_dialog(page, "tagdialogs", "TagDialog", tag)
        page.fill(".tt-tag-dialog .tt-tg-rate", rate)
        page.click(".tt-tag-dialog .tt-tg-apply")
        page.wait_for_selector(".tt-tag-dialog", state="detached")
    # a rate that is not a number is refused, and nothing is stored
    open_dialog(page, "tagdialogs", "TagDialog", "#meeting")
    page.fill(".tt-tag-dialog .tt-tg-rate", "lots")
    page.click(".tt-tag-dialog .tt-tg-apply")
    assert page.locator(".tt-tag-dialog .tt-tg-rate.tt-invalid").count() == 1
    page.click(".tt-tag-dialog .tt-tg-cancel")
    assert page.evaluate("taginfo.get_tag_rate('#meeting')") is None
    assert page.evaluate("taginfo.get_tag_rate('#code')") == 100
    # the rates are synced settings of the store
    stored = page.evaluate("ttapp.store.settings.get_by_key('taginfo #client1').value")
    assert stored["rate"] == 80

    open_report(page, "tagz")
    # highest rate applies: #client1 #code records earn 100/h, #client1 #meeting 80/h,
    # #client2 #code 100/h, #client2 #meeting (running, 1:00) nothing.
    # 1:30*100 + 0:45*100 + 2:15*100 + 0:30*80 = 150 + 75 + 225 + 40 = 490
    earnings = page.inner_text(".tt-rp-earnings")
    assert "Earnings 490.00 EUR" in earnings
    assert "highest hourly rate among its tags" in earnings
    amounts = page.evaluate(
        "Array.from(document.querySelectorAll('.tt-rp-group .tt-rp-amount')).map((td) => td.innerText)"
    )
    assert amounts == ["225.00 EUR", "225.00 EUR", "0.00 EUR", "40.00 EUR"]

    with page.expect_download() as info:
        page.click(".tt-rp-csv")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    assert rows[0][-1] == "amount EUR" and len(rows[0]) == 10
    assert rows[2][:2] == ["6:00", "Total"] and rows[2][-1] == "490.00"
    by_description = {row[6]: row[-1] for row in rows[2:] if len(row) > 6 and row[6]}
    assert by_description["#client1 #code refactor parser"] == "150.00"
    assert by_description["#client1 #meeting standup"] == "40.00"
    assert by_description['#client2 #code api "v2", docs'] == "225.00"
    assert by_description["#client2 #meeting planning"] == ""
    groups = [row for row in rows[2:] if row and row[0] and row[1] != "Total"]
    assert sum(float(row[-1]) for row in groups) == 490.0


def test_pdf_has_the_charts_page_and_the_amounts(desk):
    from pypdf import PdfReader

    page = desk
    page.evaluate("taginfo.set_tag_info('#client2', {rate: 60})")
    open_report(page, "tagz")
    with page.expect_download(timeout=30000) as info:
        page.click(".tt-rp-pdf")
    path = os.path.join(ARTIFACTS, "report-charts-" + info.value.suggested_filename)
    os.makedirs(ARTIFACTS, exist_ok=True)
    info.value.save_as(path)
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    table = reader.pages[0].extract_text()
    # #client2: 2:15 + 1:00 at 60/h = 135 + 60 = 195.00 (no currency chosen)
    assert "195.00" in table and "135.00" in table
    charts = reader.pages[1].extract_text()
    lines = [" ".join(line.split()) for line in charts.splitlines() if line.strip()]
    assert "Time per tag" in lines and "Time per day" not in lines
    assert "Time per period" in lines
    assert "#code" in charts and "4h30" in charts and "1h30" in charts
    # the bars are in the tag colours: fill operators of #code's colour in the page
    content = reader.pages[1].get_contents().get_data().decode("latin-1")
    assert "0.9 0.19 0.42 rg" in content
    assert "0.22 0.49 0.82 rg" in content
