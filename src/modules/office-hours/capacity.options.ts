import { ValidationError } from '../../errors.js';
import { isRealDate, WEEKDAY_NAMES } from './local-time.js';
import { compareOptionNames, type OptionMap, parseTimezone } from './office-hours.options.js';

/**
 * Capacity service options (`_service: capacity`, GMS Capacity API 8.5.1):
 *
 *   _timezone=Europe/Paris
 *   _capacity=[Mon, Tue, Wed, Thu, Fri, Sat, Sun]      day index n → weekday (1-based)
 *   _capacity_1={"1":{"0900":6,"1000":6}}              day n: HHMM → max callbacks per time-bucket slot
 *   _capacity_add={"2025-12-24":{"0900":2},"12-31":{}} exceptions: that date's grid replaces the weekly one
 *   _max_capacity=1000                                  no grid value may exceed it
 *
 * A grid entry `HHMM` applies to the slots starting from HH:MM until the day's next entry, for at
 * most 60 minutes; slots not covered by any entry have capacity 0.
 */

export interface CapacityEntry {
  /** Minutes after local midnight. */
  from: number;
  to: number;
  capacity: number;
}

export interface CapacityException {
  year: number | null;
  month: number;
  day: number;
  entries: CapacityEntry[];
}

export interface CapacitySpec {
  timezone: string;
  /** Index 0 = Monday … 6 = Sunday; each day's entries sorted by `from`. */
  weekly: CapacityEntry[][];
  exceptions: CapacityException[];
  maxCapacity: number;
}

export const DEFAULT_MAX_CAPACITY = 1000;
export const REQUEST_TIME_BUCKETS = [5, 10, 15, 20, 30, 60, 120] as const;
export const DEFAULT_REQUEST_TIME_BUCKET = 5;
export const DEFAULT_MAX_REQUEST_BY_TIME_BUCKET = 100;
const MAX_JSON_LENGTH = 20_000;

function invalid(option: string, value: string, reason: string): ValidationError {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return new ValidationError(
    'capacity/invalid_option',
    `Invalid value '${shown}' for option ${option}: ${reason}`,
    option,
  );
}

function parseNonNegativeInt(option: string, value: string): number {
  if (!/^\s*\d{1,9}\s*$/.test(value)) throw invalid(option, value, 'expected a non-negative integer');
  return Number(value);
}

/** `[Mon, Tue, Wed, Thu, Fri, Sat, Sun]` → ISO weekday per 1-based index. */
function parseDayList(value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') return [1, 2, 3, 4, 5, 6, 7];
  const m = /^\s*\[([^\]]*)\]\s*$/.exec(value);
  if (!m)
    throw invalid('_capacity', value, 'expected a list of days such as [Mon, Tue, Wed, Thu, Fri, Sat, Sun]');
  const days = (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      const i = WEEKDAY_NAMES.findIndex((w) => w.toLowerCase() === name.toLowerCase());
      if (i < 0) throw invalid('_capacity', value, `unknown day '${name}'`);
      return i + 1;
    });
  if (new Set(days).size !== days.length) throw invalid('_capacity', value, 'a day is listed twice');
  return days;
}

function parseJson(option: string, value: string): unknown {
  if (value.length > MAX_JSON_LENGTH)
    throw invalid(option, value, `longer than ${MAX_JSON_LENGTH} characters`);
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(option, value, 'not valid JSON');
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"0900": 6, "1000": 4}` → entries sorted by time, each lasting until the next or 60 minutes. */
function parseGrid(option: string, value: string, grid: unknown, maxCapacity: number): CapacityEntry[] {
  if (!isPlainObject(grid)) throw invalid(option, value, 'a day must map HHMM times to capacities');
  const starts: Array<{ from: number; capacity: number }> = [];
  for (const [time, raw] of Object.entries(grid)) {
    const m = /^(\d{2})(\d{2})$/.exec(time);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
      throw invalid(option, value, `'${time}' is not a time of day in HHMM form`);
    const capacity = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0)
      throw invalid(option, value, `capacity at ${time} must be a non-negative integer`);
    if (capacity > maxCapacity)
      throw invalid(option, value, `capacity ${capacity} at ${time} exceeds _max_capacity (${maxCapacity})`);
    starts.push({ from: Number(m[1]) * 60 + Number(m[2]), capacity });
  }
  starts.sort((a, b) => a.from - b.from);
  return starts.map((s, i) => ({
    from: s.from,
    to: Math.min(s.from + 60, starts[i + 1]?.from ?? 1440),
    capacity: s.capacity,
  }));
}

function parseExceptions(value: string | undefined, maxCapacity: number): CapacityException[] {
  if (value === undefined || value.trim() === '') return [];
  const option = '_capacity_add';
  const json = parseJson(option, value);
  const objects = Array.isArray(json) ? json : [json];
  const out: CapacityException[] = [];
  const seen = new Set<string>();
  for (const obj of objects) {
    if (!isPlainObject(obj))
      throw invalid(option, value, 'expected {"YYYY-MM-DD": {"HHMM": capacity}} (or MM-DD for every year)');
    for (const [date, grid] of Object.entries(obj)) {
      const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(date);
      const year = m?.[1] === undefined ? null : Number(m[1]);
      if (!m || !isRealDate(year ?? 2000, Number(m[2]), Number(m[3])))
        throw invalid(option, value, `'${date}' is not a date (YYYY-MM-DD or MM-DD)`);
      if (seen.has(date)) throw invalid(option, value, `date ${date} is listed twice`);
      seen.add(date);
      out.push({
        year,
        month: Number(m[2]),
        day: Number(m[3]),
        entries: parseGrid(option, value, grid, maxCapacity),
      });
    }
  }
  return out;
}

/**
 * Validates and parses a capacity option map; throws ValidationError (exception
 * `CapacityException`) naming the option. Unrelated options (`_type`, `_service`) are ignored.
 */
export function parseCapacity(options: OptionMap): CapacitySpec {
  const maxCapacity =
    options._max_capacity === undefined || options._max_capacity.trim() === ''
      ? DEFAULT_MAX_CAPACITY
      : parseNonNegativeInt('_max_capacity', options._max_capacity);
  const dayList = parseDayList(options._capacity);
  const weekly: CapacityEntry[][] = [[], [], [], [], [], [], []];
  const defined = new Set<number>();
  for (const option of Object.keys(options).sort(compareOptionNames)) {
    if (!/^_capacity_\d+$/.test(option)) continue;
    const value = options[option] ?? '';
    if (value.trim() === '') continue;
    const json = parseJson(option, value);
    if (!isPlainObject(json)) throw invalid(option, value, 'expected {"<day index>": {"HHMM": capacity}}');
    for (const [index, grid] of Object.entries(json)) {
      const weekday = /^\d+$/.test(index) ? dayList[Number(index) - 1] : undefined;
      if (weekday === undefined)
        throw invalid(
          option,
          value,
          `day index '${index}' is not 1-${dayList.length} (positions in _capacity)`,
        );
      if (defined.has(weekday))
        throw invalid(option, value, `day ${index} is already defined by another option`);
      defined.add(weekday);
      weekly[weekday - 1] = parseGrid(option, value, grid, maxCapacity);
    }
  }
  return {
    timezone: parseTimezone(options._timezone),
    weekly,
    exceptions: parseExceptions(options._capacity_add, maxCapacity),
    maxCapacity,
  };
}

/** `_request_time_bucket` of a callback service: 5, 10, 15, 20, 30, 60 or 120 minutes (default 5). */
export function parseRequestTimeBucket(value: string | undefined, option = '_request_time_bucket'): number {
  if (value === undefined || value.trim() === '') return DEFAULT_REQUEST_TIME_BUCKET;
  const n = Number(value.trim());
  if (!(REQUEST_TIME_BUCKETS as readonly number[]).includes(n))
    throw new ValidationError(
      'capacity/invalid_option',
      `Invalid value '${value}' for option ${option}: use one of ${REQUEST_TIME_BUCKETS.join(', ')} (minutes)`,
      option,
    );
  return n;
}

/** `_max_request_by_time_bucket` of a callback service (default 100). */
export function parseMaxRequestByTimeBucket(
  value: string | undefined,
  option = '_max_request_by_time_bucket',
): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_REQUEST_BY_TIME_BUCKET;
  return parseNonNegativeInt(option, value);
}
