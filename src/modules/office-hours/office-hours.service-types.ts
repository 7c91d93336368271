import type { ServiceManager } from '../services/services.manager.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import { buildLegacyCalendarResponse, parseCalendarQuery } from './office-hours.legacy.js';
import type { OfficeHoursManager } from './office-hours.manager.js';

/**
 * Plugs the office-hours engine into the Service API: services of type `office-hours` and
 * `capacity` are checked when saved, and `GET /genesys/1/service/{office-hours service}` answers
 * the Calendar API (`?start=&end=|number-of-days=`) from the service's options.
 */
export function registerCalendarServiceTypes(deps: {
  services: ServiceManager;
  sessions: SessionManager;
  officeHours: OfficeHoursManager;
}): void {
  const { services, sessions, officeHours } = deps;
  services.registerValidator('office-hours', (options) => {
    officeHours.validate(options);
  });
  services.registerValidator('capacity', (options) => {
    officeHours.validateCapacity(options);
  });
  sessions.handlers.registerServiceType('office-hours', {
    async query(_params, service, ctx) {
      return buildLegacyCalendarResponse(
        { ...service.defaults, ...service.options },
        parseCalendarQuery(ctx.query, ctx.now),
        ctx.now,
      );
    },
  });
}
