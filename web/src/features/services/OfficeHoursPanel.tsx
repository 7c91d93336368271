import { type FormEvent, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { resultError } from '../../lib/errors';
import { ErrorBanner } from '../../ui/ErrorBanner';
import type { ServiceView } from './ServicesPage';

const PreviewQuery = graphql(`
  query ServicesOfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $days: Int) {
    officeHoursPreview(options: $options, days: $days) {
      __typename
      ... on QueryOfficeHoursPreviewSuccess {
        data {
          timezone
          days {
            date
            weekday
            periods {
              localStart
              localEnd
            }
          }
        }
      }
      ...ResultError
    }
  }
`);

const hhmm = (local: string) => local.slice(11, 16);

/**
 * Office hours and holidays, where GMS edits them: on an office-hours service. The options are edited
 * in the rows above (`_bh_regular<n>`, `_holiday<n>`…); here a holiday is added as the next free
 * `_holiday<n>`, and the calendar previews the next two weeks of open periods.
 */
export function OfficeHoursPanel({
  service,
  onSet,
}: {
  service: ServiceView;
  onSet: (name: string, value: string) => Promise<boolean>;
}) {
  // Only the office-hours grammar (the service's _type, _service… are not schedule options).
  const options = service.options
    .filter((o) => /^_(timezone|bh_|holiday|effective_dates)/.test(o.name))
    .map((o) => ({ name: o.name, value: o.value }));
  const [preview] = useQuery({ query: PreviewQuery, variables: { options, days: 14 } });
  const [holiday, setHoliday] = useState('');
  const result = preview.data?.officeHoursPreview;

  async function addHoliday(e: FormEvent) {
    e.preventDefault();
    const used = new Set(service.options.map((o) => o.name));
    let n = 1;
    while (used.has(`_holiday${n}`)) n++;
    if (await onSet(`_holiday${n}`, holiday.trim())) setHoliday('');
  }

  return (
    <div className="office-hours">
      <h3>Office hours: the next 14 days</h3>
      {result?.__typename === 'QueryOfficeHoursPreviewSuccess' ? (
        <table className="data calendar">
          <caption className="visually-hidden">Open periods, {result.data.timezone}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Open ({result.data.timezone})</th>
            </tr>
          </thead>
          <tbody>
            {result.data.days.map((d) => (
              <tr key={d.date} className={d.periods.length === 0 ? 'closed' : undefined}>
                <th scope="row" style={{ fontWeight: 500 }}>
                  {d.weekday} {d.date}
                </th>
                <td>
                  {d.periods.length === 0
                    ? 'Closed'
                    : d.periods.map((p) => `${hhmm(p.localStart)}–${hhmm(p.localEnd)}`).join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : result && 'message' in result ? (
        <ErrorBanner error={resultError(result)} />
      ) : (
        <p className="hint" aria-busy="true">
          Computing the calendar…
        </p>
      )}
      <form className="toolbar" onSubmit={addHoliday} aria-label={`Add a holiday to ${service.name}`}>
        <div className="field">
          <label htmlFor={`holiday-${service.name}`}>
            Holiday (YYYY-MM-DD or MM-DD, optional HH:mm-HH:mm)
          </label>
          <input
            id={`holiday-${service.name}`}
            value={holiday}
            onChange={(e) => setHoliday(e.target.value)}
            required
            placeholder="12-25"
          />
        </div>
        <button type="submit">Add holiday</button>
      </form>
    </div>
  );
}
