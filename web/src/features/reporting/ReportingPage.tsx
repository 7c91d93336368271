import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { Download, ZoomOut } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { TimeSeriesChart } from '../../charts/TimeSeriesChart';
import type { ReportKind, ReportRangeInput, ReportRangePreset } from '../../gql/graphql';
import { resultError } from '../../lib/errors';
import { dateTime } from '../../lib/time';
import { QueryError } from '../../ui/QueryError';
import { SubNav } from '../../ui/SubNav';
import {
  CallbackReportQuery,
  ExportReportMutation,
  ReportFilterOptionsQuery,
  ResourcesReportQuery,
  ServicesReportQuery,
} from './documents';
import { PRESETS, REPORTS, type ReportName, type ReportSearch, reportSearch } from './search';
import { sumSeries } from './series';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
/** ISO → the value of a datetime-local input (local time), and back. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Reporting: Resources, Services and Callback over a range, with drag-to-zoom and exports. */
export default function ReportingPage() {
  const { report } = useParams({ from: '/shell/reporting/$report' }) as { report: ReportName };
  const search = useSearch({ from: '/shell/reporting/$report' });
  const navigate = useNavigate({ from: '/reporting/$report' });
  const preset = search.preset ?? 'LAST_HOUR';
  const range: ReportRangeInput =
    preset === 'CUSTOM' && search.from && search.to
      ? { preset: 'CUSTOM', from: search.from, to: search.to, timeZone }
      : { preset: preset === 'CUSTOM' ? 'LAST_HOUR' : preset, timeZone };
  const filter = search.filter ?? null;
  const showTable = search.table === 1;
  const kind = report.toUpperCase() as ReportKind;

  const [resources] = useQuery({
    query: ResourcesReportQuery,
    variables: { range, group: filter },
    pause: report !== 'resources',
  });
  const [services] = useQuery({
    query: ServicesReportQuery,
    variables: { range, service: filter },
    pause: report !== 'services',
  });
  const [callback] = useQuery({
    query: CallbackReportQuery,
    variables: { range, service: filter },
    pause: report !== 'callback',
  });
  const active = report === 'resources' ? resources : report === 'services' ? services : callback;
  const [options] = useQuery({ query: ReportFilterOptionsQuery });
  // The help: the groups "defined in the Tools tab" (and the configured services), with or without activity.
  const defined =
    report === 'resources'
      ? (options.data?.resourceGroups ?? []).map((g) => g.name)
      : (options.data?.services ?? [])
          .filter((s) => report === 'services' || s.serviceType === 'callback')
          .map((s) => s.name);

  const view = useMemo(() => {
    if (report === 'resources') {
      const r = resources.data?.resourcesReport;
      if (r?.__typename !== 'QueryResourcesReportSuccess') return null;
      return {
        range: r.data.range,
        filters: r.data.groups.map((g) => g.group),
        ...sumSeries(
          r.data.groups.map((g) => g.buckets),
          [
            { name: 'Allocations', kind: 'bar' as const, value: (b) => b.allocations },
            { name: 'Releases', kind: 'line' as const, value: (b) => b.releases },
            { name: 'Exhaustions', kind: 'line' as const, value: (b) => b.exhaustions },
            { name: 'Peak booked', kind: 'line' as const, value: (b) => b.peakBooked },
          ],
        ),
      };
    }
    if (report === 'services') {
      const r = services.data?.servicesReport;
      if (r?.__typename !== 'QueryServicesReportSuccess') return null;
      return {
        range: r.data.range,
        filters: r.data.services.map((s) => s.service),
        ...sumSeries(
          r.data.services.map((s) => s.buckets),
          [
            { name: 'Requests', kind: 'bar' as const, value: (b) => b.total },
            { name: 'OK', kind: 'line' as const, value: (b) => b.ok },
            { name: 'Failed', kind: 'line' as const, value: (b) => b.failed },
          ],
        ),
      };
    }
    const r = callback.data?.callbackReport;
    if (r?.__typename !== 'QueryCallbackReportSuccess') return null;
    return {
      range: r.data.range,
      filters: [...new Set(r.data.series.map((s) => s.service))],
      ...sumSeries(
        r.data.series.map((s) => s.buckets),
        [
          { name: 'Created', kind: 'bar' as const, value: (b) => b.created },
          { name: 'Connected', kind: 'line' as const, value: (b) => b.connected },
          { name: 'Completed', kind: 'line' as const, value: (b) => b.completed },
          { name: 'Cancelled', kind: 'line' as const, value: (b) => b.cancelled },
          { name: 'Abandoned', kind: 'line' as const, value: (b) => b.abandoned },
        ],
      ),
    };
  }, [report, resources.data, services.data, callback.data]);

  const reportError =
    active.data && !view
      ? resultError(
          report === 'resources'
            ? resources.data?.resourcesReport
            : report === 'services'
              ? services.data?.servicesReport
              : callback.data?.callbackReport,
        )
      : null;

  const setSearch = (patch: Partial<ReportSearch>) =>
    void navigate({ search: (prev: ReportSearch) => reportSearch({ ...prev, ...patch }) });

  const zoomTo = (fromMs: number, toMs: number) =>
    setSearch({
      preset: 'CUSTOM',
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      zoomedFrom: search.zoomedFrom ?? preset,
    });
  const resetZoom = () =>
    setSearch({
      preset: search.zoomedFrom === 'CUSTOM' ? 'CUSTOM' : search.zoomedFrom,
      from: undefined,
      to: undefined,
      zoomedFrom: undefined,
    });

  // The range shown; when the server refused it (no view), the one asked for, so it can be corrected.
  const shownFrom = view?.range.from ?? (preset === 'CUSTOM' ? search.from : undefined);
  const shownTo = view?.range.to ?? (preset === 'CUSTOM' ? search.to : undefined);

  const title = report === 'resources' ? 'Resources' : report === 'services' ? 'Services' : 'Callback';
  return (
    <section aria-labelledby="reporting-title">
      <h1 id="reporting-title">Reporting</h1>
      <SubNav
        label="Reports"
        // The range (and zoom, and the table view) go with the admin; the filter names a group or a
        // service, so it stays with its report.
        search={{ ...search, filter: undefined }}
        tabs={REPORTS.map((r) => ({
          to: `/reporting/${r}`,
          label: r === 'callback' ? 'Callback' : r[0]?.toUpperCase() + r.slice(1),
        }))}
      />
      <form className="panel toolbar" aria-label="Report range" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="rep-preset">Range</label>
          <select
            id="rep-preset"
            value={preset}
            onChange={(e) => {
              const value = e.target.value as ReportRangePreset;
              const shown = view?.range;
              setSearch(
                value === 'CUSTOM'
                  ? { preset: value, from: shown?.from, to: shown?.to, zoomedFrom: undefined }
                  : { preset: value, from: undefined, to: undefined, zoomedFrom: undefined },
              );
            }}
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rep-from">From</label>
          <input
            id="rep-from"
            type="datetime-local"
            value={shownFrom ? toLocalInput(shownFrom) : ''}
            onChange={(e) =>
              e.target.value &&
              setSearch({
                preset: 'CUSTOM',
                from: new Date(e.target.value).toISOString(),
                to: search.to ?? view?.range.to,
              })
            }
          />
        </div>
        <div className="field">
          <label htmlFor="rep-to">To</label>
          <input
            id="rep-to"
            type="datetime-local"
            value={shownTo ? toLocalInput(shownTo) : ''}
            onChange={(e) =>
              e.target.value &&
              setSearch({
                preset: 'CUSTOM',
                to: new Date(e.target.value).toISOString(),
                from: search.from ?? view?.range.from,
              })
            }
          />
        </div>
        <div className="field">
          <label htmlFor="rep-filter">{report === 'resources' ? 'Resource group' : 'Service'}</label>
          <select
            id="rep-filter"
            value={filter ?? ''}
            onChange={(e) => setSearch({ filter: e.target.value || undefined })}
          >
            <option value="">All</option>
            {[...new Set([...(view?.filters ?? []), ...defined, ...(filter ? [filter] : [])])]
              .sort()
              .map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
          </select>
        </div>
        {search.zoomedFrom && (
          <button type="button" onClick={resetZoom}>
            <ZoomOut size={16} aria-hidden="true" /> Reset zoom
          </button>
        )}
        <label className="row" style={{ fontWeight: 400, marginBottom: '0.4rem' }}>
          <input
            type="checkbox"
            checked={showTable}
            onChange={(e) => setSearch({ table: e.target.checked ? 1 : undefined })}
          />{' '}
          Show as table
        </label>
        <ExportButtons report={kind} range={range} filter={filter} />
      </form>
      {active.error && <QueryError error={active.error} />}
      {reportError && <QueryError error={reportError.message} />}
      {!view && active.fetching && (
        <div className="panel" role="status" aria-busy="true" aria-label="Loading the report">
          <div className="skeleton" />
        </div>
      )}
      {view && (
        <div className="panel" aria-busy={active.fetching || undefined}>
          <p className="hint" role="status">
            {title} from {dateTime(view.range.from)} to {dateTime(view.range.to)} · per{' '}
            {view.range.bucket.toLowerCase().replaceAll('_', ' ')}
          </p>
          {view.table.every((r) => r.values.every((v) => !v)) && (
            <p className="empty">Nothing happened in this range.</p>
          )}
          <TimeSeriesChart title={title} series={view.series} onZoom={zoomTo} />
          {showTable && (
            <div className="table-scroll">
              <table className="data">
                <caption className="visually-hidden">{title} per bucket</caption>
                <thead>
                  <tr>
                    <th scope="col">Start</th>
                    {view.series.map((s) => (
                      <th scope="col" key={s.name}>
                        {s.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {view.table.map((r) => (
                    <tr key={r.start}>
                      <td>{dateTime(r.start)}</td>
                      {r.values.map((v, i) => (
                        <td key={view.series[i]?.name}>{v ?? '—'}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** CSV, PDF and Excel of what is shown: the server renders the same report for the same range and filter. */
function ExportButtons({
  report,
  range,
  filter,
}: {
  report: ReportKind;
  range: ReportRangeInput;
  filter: string | null;
}) {
  const [state, exportReport] = useMutation(ExportReportMutation);
  const [error, setError] = useState<string | null>(null);
  async function run(format: 'CSV' | 'PDF' | 'XLSX') {
    setError(null);
    const r = await exportReport({
      report,
      format,
      range,
      group: report === 'RESOURCES' ? filter : null,
      service: report === 'RESOURCES' ? null : filter,
    });
    const payload = r.data?.exportReport;
    const failure = resultError(payload, r.error);
    if (failure) return setError(failure.message);
    if (payload?.__typename !== 'MutationExportReportSuccess') return;
    // Same origin: a plain link download (the path carries a short-lived token).
    const a = document.createElement('a');
    a.href = payload.data.path;
    a.download = payload.data.filename;
    document.body.append(a);
    a.click();
    a.remove();
  }
  return (
    <fieldset className="row plain">
      <legend className="visually-hidden">Export</legend>
      {(['CSV', 'PDF', 'XLSX'] as const).map((f) => (
        <button key={f} type="button" onClick={() => run(f)} disabled={state.fetching}>
          <Download size={16} aria-hidden="true" /> {f === 'XLSX' ? 'Excel' : f}
        </button>
      ))}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
