"""Server-rendered SVG charts for the staff dashboards: no JavaScript, no inline style (CSP).

One kind of chart, ranked horizontal bars with each label on its own line above its bar, so long
names (institutions, Vietnamese month names) never overlap a bar or each other on a phone. The
SVG carries a <title> and <desc>; the template adds a table of the same numbers and a link to
download them as CSV. Colours come from classes in static/css/charts.css (dark mode included).
"""

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe

from academy_portal.core.escaping import escape_formula

WIDTH = 400
LABEL_HEIGHT = 20
BAR_HEIGHT = 16
ROW_GAP = 10
VALUE_SPACE = 72  # room kept right of the longest bar for its figure
LABEL_CHARS = 44  # a longer label is shortened in the SVG (the table shows it whole)


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    # Shown after the figure ("42%", "median 3 days"); the CSV gets it as its own column.
    note: str = ""
    extra: tuple = ()


@dataclass
class Chart:
    """A chart's identity (for its CSV link), its texts and the numbers behind it."""

    slug: str
    title: str
    description: str
    value_heading: str
    rows: list[Row]
    label_heading: str = ""
    note_heading: str = ""
    extra_headings: tuple = ()
    empty_text: str = ""
    highlight_first: bool = False
    footnotes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(row.value for row in self.rows)

    @property
    def svg(self) -> SafeString:
        return render_bars(self)

    @property
    def table_rows(self) -> SafeString:
        return table_rows(self)


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def render_bars(chart: Chart) -> SafeString:
    """The chart as an inline <svg role="img"> sized by its viewBox (CSS scales it to fit)."""
    rows = chart.rows
    top = max((row.value for row in rows), default=0) or 1
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = max(row_height * len(rows), row_height)
    span = WIDTH - VALUE_SPACE
    title_id = f"chart-{chart.slug}-title"
    desc_id = f"chart-{chart.slug}-desc"
    parts = []
    for index, row in enumerate(rows):
        y = index * row_height
        bar = round(span * row.value / top) if row.value else 0
        kind = "chart-bar chart-bar--first" if chart.highlight_first and index == 0 else "chart-bar"
        figure = f"{row.value}" + (f" \u00b7 {row.note}" if row.note else "")
        parts.append(
            format_html(
                "<g><title>{}: {}</title>"
                '<text class="chart-label" x="0" y="{}">{}</text>'
                '<rect class="chart-track" x="0" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<rect class="{}" x="0" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                row.label,
                figure,
                y + LABEL_HEIGHT - 6,
                _shorten(row.label),
                y + LABEL_HEIGHT,
                span,
                BAR_HEIGHT,
                kind,
                y + LABEL_HEIGHT,
                bar,
                BAR_HEIGHT,
                # The figure sits right of the bar, or inside the track's end for a full bar.
                min(bar + 6, span + 6),
                y + LABEL_HEIGHT + BAR_HEIGHT - 3,
                _shorten(figure, 14),
            )
        )
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{} {}" focusable="false"><title id="{}">{}</title>'
        '<desc id="{}">{}</desc>{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        title_id,
        desc_id,
        title_id,
        chart.title,
        desc_id,
        describe(chart),
        mark_safe("".join(parts)),  # each part built by format_html above
    )


def describe(chart: Chart) -> str:
    """The <desc>: the chart's sentence, then every row in words (screen readers, no CSS)."""
    figures = "; ".join(
        f"{row.label}: {row.value}" + (f" ({row.note})" if row.note else "") for row in chart.rows
    )
    return f"{chart.description} {figures}".strip()


def table_rows(chart: Chart):
    return format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td>{}{}</tr>",
        (
            (
                row.label,
                row.value,
                format_html("<td>{}</td>", row.note) if chart.note_heading else "",
                format_html_join("", "<td>{}</td>", ((value,) for value in row.extra)),
            )
            for row in chart.rows
        ),
    )


def top_with_others(rows: list[Row], *, limit: int, others_label: str) -> list[Row]:
    """The `limit` largest rows, then one row adding up the rest (when there is a rest)."""
    ranked = sorted(rows, key=lambda row: (-row.value, row.label))
    if len(ranked) <= limit:
        return ranked
    rest = sum(row.value for row in ranked[limit:])
    return [*ranked[:limit], Row(label=others_label, value=rest)]


def csv_response(chart: Chart, *, file_stem: str) -> HttpResponse:
    """The numbers behind `chart` as CSV (UTF-8 with BOM for spreadsheets, formulas escaped)."""
    out = io.StringIO()
    writer = csv.writer(out)
    headings = [chart.label_heading or chart.title, chart.value_heading]
    if chart.note_heading:
        headings.append(chart.note_heading)
    writer.writerow([*headings, *chart.extra_headings])
    for row in chart.rows:
        cells = [row.label, row.value]
        if chart.note_heading:
            cells.append(row.note)
        writer.writerow([escape_formula(str(cell)) for cell in [*cells, *row.extra]])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{file_stem}-{chart.slug}.csv"
    )
    return response
