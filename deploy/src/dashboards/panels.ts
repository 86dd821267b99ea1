// What every StockStream dashboard shares: the data source, queries, the
// panel kinds we use (time series, stat, table) with their defaults, and a
// layout that numbers panels and puts them in rows.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned Prometheus (deploy/grafana/provisioning/datasources/prometheus.yml). */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** A PromQL query and the legend of its series. */
export interface Query {
  expr: string;
  legend?: string;
  /** One value per series at the end of the range (tables) instead of a range. */
  instant?: boolean;
}

export const query = (expr: string, legend?: string): Query => ({ expr, legend });

/** `instance=~"$instance"`: the instance variable as a label matcher. */
export const INSTANCE = 'instance=~"$instance"';

/** p50/p95/p99 of a histogram (name without `_bucket`) over `matchers`, one series each. */
export function percentiles(histogram: string, matchers: string, what: string, qs: number[] = [0.5, 0.95, 0.99]): Query[] {
  return qs.map((q) =>
    query(`histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket{${matchers}}[$__rate_interval])))`, `${what} p${Math.round(q * 100)}`),
  );
}

function targets(queries: Query[]): prometheus.DataqueryBuilder[] {
  return queries.map((q, i) => {
    const t = new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(String.fromCharCode(65 + i)).expr(q.expr);
    if (q.legend !== undefined) t.legendFormat(q.legend);
    if (q.instant) t.instant().format(prometheus.PromQueryFormat.Table);
    else t.range();
    return t;
  });
}

/** What every panel says about itself. */
export interface PanelSpec {
  title: string;
  /** What the panel measures and how to read it (the panel's "i" tooltip). */
  description: string;
  queries: Query[];
  /** Grafana unit id: short, s, bytes, Bps, percentunit, ... */
  unit?: string;
  /** Grid columns out of 24 and rows (one row is 30 px). */
  width?: number;
  height?: number;
}

export interface TimeseriesSpec extends PanelSpec {
  stacked?: boolean;
  bars?: boolean;
  min?: number;
  axisLabel?: string;
}

export function timeseriesPanel(s: TimeseriesSpec): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(s.title)
    .description(s.description)
    .datasource(DATASOURCE)
    .targets(targets(s.queries))
    .unit(s.unit ?? 'short')
    .span(s.width ?? 12)
    .height(s.height ?? 8)
    .lineWidth(1)
    .fillOpacity(s.stacked || s.bars ? 60 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (s.min !== undefined) p.min(s.min);
  if (s.axisLabel) p.axisLabel(s.axisLabel);
  if (s.stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (s.bars) p.drawStyle(common.GraphDrawStyle.Bars);
  return p;
}

/** A value shown with a colour: `steps` are [from, colour] after the base colour. */
export interface StatSpec extends PanelSpec {
  base?: string;
  steps?: [number, string][];
  /** Value → text and colour (e.g. 0 → "down", red). */
  mappings?: Record<string, { text: string; color: string }>;
  /** Grafana unit per query refId, where it differs from `unit`. */
  unitOf?: Record<string, string>;
  sparkline?: boolean;
}

export function statPanel(s: StatSpec): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(s.title)
    .description(s.description)
    .datasource(DATASOURCE)
    .targets(targets(s.queries))
    .unit(s.unit ?? 'short')
    .span(s.width ?? 6)
    .height(s.height ?? 8)
    .graphMode(s.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps([{ value: null, color: s.base ?? 'green' }, ...(s.steps ?? []).map(([value, color]) => ({ value, color }))]),
    );
  if (s.mappings) {
    p.mappings([
      {
        type: dashboard.MappingType.ValueToText,
        options: Object.fromEntries(Object.entries(s.mappings).map(([v, m], index) => [v, { text: m.text, color: m.color, index }])),
      },
    ]);
  }
  for (const [refId, unit] of Object.entries(s.unitOf ?? {})) p.overrideByQuery(refId, [{ id: 'unit', value: unit }]);
  return p;
}

/** A table of instant queries' labels (e.g. build info), without the time and value columns. */
export function labelsTablePanel(s: PanelSpec): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(s.title)
    .description(s.description)
    .datasource(DATASOURCE)
    .targets(targets(s.queries.map((q) => ({ ...q, instant: true }))))
    .span(s.width ?? 12)
    .height(s.height ?? 8)
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true }, renameByName: {} } });
}

interface NumberedPanel {
  id(id: number): unknown;
  build(): dashboard.Panel;
}

/**
 * Adds rows and panels to a dashboard, numbering them 1, 2, ... in order.
 * Rows are expanded and hold no panels themselves: the panels after a row
 * belong to it (Grafana's model of an expanded row).
 */
export class Layout {
  private next = 1;

  constructor(readonly board: dashboard.DashboardBuilder) {}

  row(title: string, ...panels: NumberedPanel[]): this {
    this.board.withRow(new dashboard.RowBuilder(title).id(this.next++));
    for (const p of panels) {
      p.id(this.next++);
      this.board.withPanel(p);
    }
    return this;
  }
}

/** A multi-value query variable from label values, "All" by default (matching any value). */
export function labelVariable(name: string, label: string, description: string, definition: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(definition)
    .definition(definition)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** StockStream's alerts while they fire (rules in deploy/prometheus/rules), shown as annotations on every graph. */
export const ALERTS_FIRING = 'ALERTS{alertname=~"StockStream.+", alertstate="firing"}';

/** The settings both dashboards share. */
export function board(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['stockstream'])
    .timezone('browser')
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .type('dashboard')
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)'),
    )
    .annotation(
      new dashboard.AnnotationQueryBuilder()
        .name('StockStream alerts')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('red')
        .expr(ALERTS_FIRING)
        .step('60s')
        .titleFormat('{{alertname}}')
        .textFormat('{{service}} {{instance}} {{topic}} {{table}}')
        .tagKeys('severity')
        .useValueForTime(false),
    )
    .link(new dashboard.DashboardLinkBuilder('StockStream').type(dashboard.DashboardLinkType.Dashboards).tags(['stockstream']).asDropdown(false).includeVars(true).keepTime(true));
}

/** Whether Prometheus can scrape each service: on both dashboards. */
export function servicesUpPanel(size: { width: number; height?: number }): stat.PanelBuilder {
  return statPanel({
    title: 'Services up',
    description: 'Whether Prometheus can scrape each service (up). The compose ingest service is a bounded run: it is down once done.',
    queries: [query(`max by (job, instance) (up{job=~"ingest|enrichment|s3-sink", ${INSTANCE}})`, '{{job}} {{instance}}')],
    mappings: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } },
    base: 'red',
    steps: [[1, 'green']],
    ...size,
  });
}
