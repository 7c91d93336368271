import { ValidationError } from '../../errors.js';
import { defineSection } from '../../provisioning/section.js';
import { normalizeOptions, type ScheduleInput, validateScheduleName } from './office-hours.manager.js';
import { parseOfficeHours } from './office-hours.options.js';

/**
 * Provisioning section `office_hours`: schedule name → option map in GMS option names.
 *
 *   office_hours:
 *     business-hours:
 *       _timezone: Europe/Paris
 *       _bh_regular1: Mon-Fri 09:00-17:00
 *       _holiday1: 12-25
 *
 * Schedules in the file are created or replaced; schedules absent from it are left alone.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Re-states an engine error with its place in the file. */
function withPath(err: unknown, path: string): unknown {
  if (!(err instanceof ValidationError)) return err;
  return new ValidationError(err.code, `${path}: ${err.message}`, err.field ? `${path}.${err.field}` : path);
}

export const officeHoursSection = defineSection<ScheduleInput[]>({
  key: 'office_hours',
  order: 10,
  parse(value, path) {
    if (value === null || value === undefined) return [];
    if (!isRecord(value))
      throw new ValidationError(
        'provisioning/invalid',
        `${path} must map schedule names to option maps`,
        path,
      );
    return Object.entries(value).map(([name, raw]) => {
      const at = `${path}.${name}`;
      try {
        validateScheduleName(name);
      } catch (err) {
        if (err instanceof ValidationError)
          throw new ValidationError(err.code, `${path}: ${err.message}`, at);
        throw err;
      }
      if (!isRecord(raw))
        throw new ValidationError('provisioning/invalid', `${at} must map option names to values`, at);
      const options: Record<string, string> = {};
      for (const [option, v] of Object.entries(raw)) {
        // YAML reads `_ttl: 30` as a number; GMS options are strings.
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          throw new ValidationError(
            'provisioning/invalid',
            `${at}.${option} must be a string`,
            `${at}.${option}`,
          );
        options[option] = String(v);
      }
      try {
        const normalized = normalizeOptions(options);
        parseOfficeHours(normalized);
        return { name, options: normalized };
      } catch (err) {
        throw withPath(err, at);
      }
    });
  },
  async apply(schedules, managers) {
    for (const schedule of schedules) await managers.officeHours.upsert(schedule);
  },
  async export(managers) {
    const out: Record<string, Record<string, string>> = {};
    for (const s of await managers.officeHours.list()) {
      out[s.name] = Object.fromEntries(s.options.map((o) => [o.name, o.value]));
    }
    return out;
  },
});
