"""The daily market report: one self-contained HTML file of charts, and the CSV behind each.

The report reads only the published snapshot, read-only. Each :class:`Section` is a query in
``warehouse/sql/report/<slug>.sql`` (parameter ``$report_date``) and a chart of its rows,
declared with altair and rendered to SVG by vl-convert, inlined in the HTML: no script, no
font or file from the network is needed to view it. A section's source tables are the tables
its SQL reads (:func:`warehouse.lineage.tables_read`), so every chart states them with the
dates its rows cover. A section whose tables are not in the snapshot (the buildout tables,
until they land) is skipped with a note; one with no rows for the day says so.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import vl_convert

from warehouse.lineage import tables_read
from warehouse.transform import query_text

REPORT_FILE = "report.html"
WIDTH = 640
USD_PER_GPU_HOUR = "USD per GPU-hour"


@dataclass(frozen=True)
class Section:
    """One chart: ``slug`` names its query (``report.<slug>``) and its CSV file."""

    slug: str
    title: str
    description: str
    date_column: str
    empty_note: str
    chart: Callable[[pd.DataFrame], alt.TopLevelMixin]

    @property
    def query(self) -> str:
        return f"report.{self.slug}"

    @property
    def sources(self) -> list[str]:
        return sorted(tables_read(self.query))


def _rows_height(frame: pd.DataFrame, column: str, per_row: int = 18) -> int:
    return max(80, per_row * frame[column].nunique())


def _price_index_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("period_start_date:T", title="week",
                axis=alt.Axis(format="%b %Y", tickCount=8, labelAngle=0)),
        y=alt.Y("median_usd_per_gpu_hour:Q", title=f"median, {USD_PER_GPU_HOUR}",
                scale=alt.Scale(type="log")),
        color=alt.Color("gpu_model:N", title="GPU"),
        strokeDash=alt.StrokeDash("origin:N", title="offers",
                                  scale=alt.Scale(domain=["live", "history"])),
        shape=alt.Shape("origin:N", title="offers",
                        scale=alt.Scale(domain=["live", "history"], range=["circle", "square"])),
    ).properties(width=WIDTH, height=320)


def _cheapest_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    frame = frame.assign(label=frame["provider"] + " · " + frame["region"])
    base = alt.Chart(frame).encode(
        y=alt.Y("gpu_model:N", title=None, sort=alt.EncodingSortField("usd_per_gpu_hour")),
        x=alt.X("usd_per_gpu_hour:Q", title=f"cheapest offer, {USD_PER_GPU_HOUR}"))
    bars = base.mark_bar().encode(color=alt.Color("price_type:N", title="price type"))
    labels = base.mark_text(align="left", dx=4, fontSize=10).encode(text="label:N")
    return (bars + labels).properties(width=WIDTH - 160,
                                      height=_rows_height(frame, "gpu_model"))


def _tflop_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    base = alt.Chart(frame).encode(
        x=alt.X("precision:N", title="precision",
                sort=["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4", "int4"]),
        y=alt.Y("gpu_model:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("usd_per_effective_tflop_hour:Q", title="USD per effective TFLOP-hour",
                        scale=alt.Scale(type="log", scheme="viridis", reverse=True)))
    # dark cells (the dearer half, on the log scale) get white text, light cells black
    values = frame["usd_per_effective_tflop_hour"]
    midpoint = (values.min() * values.max()) ** 0.5
    text = base.mark_text(fontSize=9).encode(
        text=alt.Text("usd_per_effective_tflop_hour:Q", format=".3f"),
        color=alt.condition(f"datum.usd_per_effective_tflop_hour > {midpoint}",
                            alt.value("white"), alt.value("black")))
    return (cells + text).properties(width=WIDTH - 200, height=_rows_height(frame, "gpu_model"))


def _token_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    return alt.Chart(frame).mark_point(filled=True, size=70).encode(
        y=alt.Y("llm_model:N", title=None),
        x=alt.X("usd_per_million_tokens:Q", title="USD per million tokens (blended)",
                scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None),
        shape=alt.Shape("series:N", title=None),
    ).properties(width=WIDTH - 120, height=_rows_height(frame, "llm_model"))


def _changes_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("offer:N", title=None, sort=alt.EncodingSortField("change_percent"),
                axis=alt.Axis(labelLimit=400)),
        x=alt.X("change_percent:Q", title="price change, % of the previous price per GPU-hour"),
        color=alt.condition("datum.change_percent > 0", alt.value("#c0392b"),
                            alt.value("#27ae60")),
    ).properties(width=WIDTH - 300, height=_rows_height(frame, "offer"))


def _mw_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("region:N", title=None, sort="-x"),
        x=alt.X("sum(mw):Q", title="MW"),
        color=alt.Color("status:N", title="status"),
        row=alt.Row("measure:N", title=None),
    ).properties(width=WIDTH - 160, height=_rows_height(frame, "region")
                 ).resolve_scale(y="independent")  # each measure lists only its regions


def _gpus_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    base = alt.Chart(frame).encode(
        y=alt.Y("gpu_model:N", title=None, sort="-x"), yOffset="basis:N")
    bars = base.mark_bar().encode(x=alt.X("gpus_hostable:Q", title="GPUs hostable"),
                                  color=alt.Color("basis:N", title="basis"))
    ranges = base.mark_rule(color="black").encode(x="gpus_hostable_low:Q",
                                                  x2="gpus_hostable_high:Q")
    return (bars + ranges).properties(width=WIDTH - 160,
                                      height=_rows_height(frame, "gpu_model", 28))


SECTIONS: tuple[Section, ...] = (
    Section("price_index_history", "GPU price index over time",
            "Weekly median on-demand price per GPU-hour of the eight GPUs with the most offers; "
            "dashed lines and squares are imported third-party history (backfill), solid lines "
            "and circles live offers.",
            "period_start_date", "no weekly index up to this day", _price_index_chart),
    Section("cheapest_offers", "Cheapest offer per GPU today",
            "The cheapest offer of each GPU model (any price type), labelled with provider and "
            "region.", "observation_date", "no GPU offers on this day", _cheapest_chart),
    Section("usd_per_effective_tflop", "Dollars per effective TFLOP by GPU and precision",
            "The cheapest on-demand price per effective TFLOP-hour (dense peak times the "
            "assumed utilization) of each GPU at each precision it supports.",
            "observation_date", "no priced GPU with a known peak on this day", _tflop_chart),
    Section("token_prices", "Projected cost per million tokens against market prices",
            "Per model architecture: the cheapest and the median API price (blended input and "
            "output) and the projected cost floor of serving it on the cheapest fitting GPU "
            "setup.", "observation_date", "no priced API model with a projection on this day",
            _token_chart),
    Section("price_changes", "Biggest price changes",
            "The 20 offers whose price per GPU-hour moved most since their source's previous "
            "observation (red: up, green: down).", "observation_date",
            "no offer changed price on this day (a source's first day has nothing to compare "
            "with)", _changes_chart),
    Section("buildout_mw_by_region_status", "Datacenter MW by region and status",
            "Megawatts in the datacenter buildout per region and status, latest quarter.",
            "quarter", "no buildout quarter up to this day", _mw_chart),
    Section("gpus_hostable", "GPUs hostable",
            "GPUs the buildout's power could host per GPU model and basis (bars), with the low "
            "to high range (lines), latest quarter.", "quarter",
            "no buildout quarter up to this day", _gpus_chart),
)


@dataclass
class SectionResult:
    section: Section
    rows: int = 0
    first_date: date | None = None
    last_date: date | None = None
    csv: Path | None = None
    svg: str | None = None
    note: str | None = None  # why there is no chart

    @property
    def dates(self) -> str:
        if self.first_date is None:
            return "no data"
        if self.first_date == self.last_date:
            return str(self.first_date)
        return f"{self.first_date} to {self.last_date}"


@dataclass
class Report:
    day: date
    html: Path
    sections: list[SectionResult]

    @property
    def charts(self) -> int:
        return sum(s.svg is not None for s in self.sections)


class NothingPublishedError(RuntimeError):
    """The snapshot has no GPU offers to report on."""


def latest_day(con: duckdb.DuckDBPyConnection) -> date:
    """The newest day with live offers (else any offers) in the snapshot."""
    day = con.execute("SELECT coalesce(max(observation_date) FILTER (WHERE NOT is_backfill), "
                      "max(observation_date)) FROM core.cloud__daily_gpu_offers").fetchone()[0]
    if day is None:
        raise NothingPublishedError("the published snapshot has no GPU offers yet")
    return day


def _snapshot_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{schema}.{name}" for schema, name in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}


def _as_date(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _run_section(con: duckdb.DuckDBPyConnection, section: Section, day: date, out_dir: Path,
                 available: set[str]) -> SectionResult:
    result = SectionResult(section)
    missing = [t for t in section.sources if t not in available]
    if missing:
        result.note = (f"skipped: {', '.join(missing)} "
                       f"{'is' if len(missing) == 1 else 'are'} not in the published snapshot")
        return result
    frame = con.execute(query_text(section.query), {"report_date": day}).df()
    result.csv = out_dir / f"{section.slug}.csv"
    frame.to_csv(result.csv, index=False, date_format="%Y-%m-%d")
    result.rows = len(frame)
    if frame.empty:
        result.note = f"{section.empty_note} ({day})"
        return result
    result.first_date = _as_date(frame[section.date_column].min())
    result.last_date = _as_date(frame[section.date_column].max())
    chart = section.chart(frame).properties(title=alt.Title(
        section.title, subtitle=f"Source: {', '.join(section.sources)} · data: {result.dates}",
        anchor="start"))
    result.svg = vl_convert.vegalite_to_svg(chart.to_dict())
    return result


_STYLE = """
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
section { border-top: 1px solid #ddd; padding: 1em 0; }
figure { margin: 0.5em 0; overflow-x: auto; }
figcaption, .meta { color: #555; font-size: 0.9em; }
.note { background: #f6f6f6; border-left: 4px solid #aaa; padding: 0.5em 1em; }
"""


def _section_html(result: SectionResult) -> str:
    section = result.section
    esc = html.escape
    caption = (f"Source: {esc(', '.join(section.sources))} · data: {esc(result.dates)}"
               + (f" · CSV: <a href=\"{esc(result.csv.name)}\">{esc(result.csv.name)}</a>"
                  if result.csv else ""))
    body = (f'<figure class="chart" id="chart-{section.slug}">{result.svg}'
            f"<figcaption>{caption}</figcaption></figure>" if result.svg is not None
            else f'<p class="note" id="note-{section.slug}">{esc(result.note or "")}</p>'
            f'<p class="meta">{caption}</p>')
    return (f'<section id="{section.slug}"><h2>{esc(section.title)}</h2>'
            f"<p>{esc(section.description)}</p>{body}</section>")


def render_html(report_day: date, snapshot: Path, results: list[SectionResult]) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    contents = "".join(f'<li><a href="#{r.section.slug}">{html.escape(r.section.title)}</a>'
                       f"{'' if r.svg else ' (no chart)'}</li>" for r in results)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>compute-atlas market report {report_day}</title><style>{_STYLE}</style>"
        f"</head><body><h1>compute-atlas market report: {report_day}</h1>"
        f'<p class="meta">From the published snapshot {html.escape(snapshot.name)}, generated '
        f"{generated}. Every chart's data is in the CSV beside this file.</p>"
        f"<ul>{contents}</ul>{''.join(_section_html(r) for r in results)}</body></html>\n")


def write_report(published: Path, out_dir: Path, day: date) -> Report:
    """Write ``report.html`` and the CSV of every section that ran into ``out_dir`` for
    ``day``, reading ``published`` read-only."""
    with duckdb.connect(str(published), read_only=True) as con:
        available = _snapshot_tables(con)
        out_dir.mkdir(parents=True, exist_ok=True)
        results = [_run_section(con, section, day, out_dir, available) for section in SECTIONS]
    target = out_dir / REPORT_FILE
    target.write_text(render_html(day, published, results), encoding="utf-8")
    return Report(day, target, results)
