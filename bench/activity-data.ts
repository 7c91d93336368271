import { type SQL, sql } from 'drizzle-orm';

/**
 * The synthetic activity the report benches (bench/reports.ts, bench/lifecycle.ts) measure, one INSERT
 * statement (with its roll-up queue rows): 40 % service accesses (85 % answered 200, the rest 400/404/503) over six services, 30 %
 * resource events over four groups, 30 % callback events over three services and queues. `ts` is the
 * time of row `i` (a column of `series`, e.g. `generate_series(1, n) i`); `ordered` inserts in time
 * order (one sort of the whole statement).
 */
export function insertActivity(series: SQL, ts: SQL, ordered: boolean): SQL {
  // Queued for the roll-up in the same statement, as the app's own inserts are (activity.manager.ts).
  return sql`
    with a as (insert into activity (occurred_at, category, kind, subject, outcome, status, queue, wait_ms, booked, free, ref, node_id)
    select g.ts, g.cat,
      case g.cat
        when 'service' then 'accessed'
        when 'resource' then (array['allocated','allocated','released','expired','exhausted'])[1 + floor(g.r1 * 5)::int]
        else (array['created','created','connected','cancelled','abandoned','completed'])[1 + floor(g.r1 * 6)::int]
      end,
      case g.cat
        when 'service' then (array['request-interaction','office-hours','callback','chat','capacity','statistic'])[1 + floor(g.r2 * 6)::int]
        when 'resource' then (array['DNIS','Pool-B','Pool-C','Pool-D'])[1 + floor(g.r2 * 4)::int]
        else (array['cb-sales','cb-support','cb-billing'])[1 + floor(g.r2 * 3)::int]
      end,
      case when g.cat = 'service' then case when g.r3 < 0.85 then 'ok' else 'failed' end end,
      case when g.cat = 'service' then case when g.r3 < 0.85 then 200 else (array[400,404,503])[1 + floor(g.r4 * 3)::int] end end,
      case when g.cat = 'callback' then (array['q1','q2','q3',null])[1 + floor(g.r3 * 4)::int] end,
      case when g.cat = 'callback' then floor(g.r4 * 2400000)::int end,
      case when g.cat = 'resource' then floor(g.r3 * 51)::int end,
      case when g.cat = 'resource' then 50 - floor(g.r3 * 51)::int end,
      'bench-' || g.i,
      1
    from (
      select i, ${ts} as ts,
        (array['service','service','service','service','resource','resource','resource','callback','callback','callback'])[1 + floor(random() * 10)::int] as cat,
        random() as r1, random() as r2, random() as r3, random() as r4
      from ${series}
    ) g
    ${ordered ? sql`order by g.ts` : sql``}
    returning id, occurred_at, category, kind, subject, outcome, status, queue, wait_ms, booked, free)
    insert into activity_pending (id, occurred_at, category, kind, subject, outcome, status, queue, wait_ms, booked, free)
    select * from a`;
}
