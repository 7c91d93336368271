import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMutation, useQuery } from 'urql';
import type { ServicesPageQuery as ServicesPageData } from '../../gql/graphql';
import { resultError } from '../../lib/errors';
import { ConfirmDialog, useConfirm } from '../../ui/ConfirmDialog';
import { QueryError } from '../../ui/QueryError';
import { AddServiceForm } from './AddServiceForm';
import { DeleteServiceMutation, ServicesPageQuery } from './documents';
import { ServiceCard } from './ServiceCard';

export type ServiceView = ServicesPageData['services'][number];

/** `?advanced=1`: "Show advanced parameters" is in the URL, so a reload keeps it. */
export const servicesSearch = (s: Record<string, unknown>): { advanced?: 1 } =>
  s.advanced === 1 || s.advanced === '1' || s.advanced === true ? { advanced: 1 } : {};

/** Services → Configured Services: add from a loaded template, edit options by category, delete. */
export function ServicesPage() {
  const advanced = useSearch({ from: '/shell/services' }).advanced === 1;
  const navigate = useNavigate({ from: '/services' });
  const setAdvanced = (on: boolean) => void navigate({ search: on ? { advanced: 1 } : {}, replace: true });
  const [result, refetch] = useQuery({ query: ServicesPageQuery, variables: { advanced } });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const [, deleteService] = useMutation(DeleteServiceMutation);
  const confirm = useConfirm(
    (name: string) => deleteService({ name }).then((r) => resultError(r.data?.deleteService, r.error)),
    reload,
  );
  const data = result.data;

  return (
    <section aria-labelledby="services-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1 id="services-title">Configured services</h1>
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={advanced} onChange={(e) => setAdvanced(e.target.checked)} />
          Show advanced parameters
        </label>
      </div>
      {result.error && <QueryError error={result.error} retry={reload} />}
      {data && <AddServiceForm templates={data.serviceTemplates} onAdded={reload} />}
      {!data && result.fetching && (
        <div role="status" aria-busy="true" aria-label="Loading services" className="panel">
          <div className="skeleton" />
        </div>
      )}
      {data && data.services.length === 0 && (
        <p className="empty">
          No service is configured yet.{' '}
          {data.serviceTemplates.length === 0
            ? 'Load a service template under Tools → Service Templates first.'
            : 'Add one from a template above.'}
        </p>
      )}
      <div aria-busy={result.stale || undefined}>
        {data?.services.map((service) => (
          <ServiceCard
            key={service.name}
            service={service}
            templateParameters={
              data.serviceTemplates.find((t) => t.name === service.template)?.parameters ?? []
            }
            onChanged={reload}
            onDelete={() => confirm.ask(service.name)}
          />
        ))}
      </div>
      <ConfirmDialog
        {...confirm.dialog}
        title={`Delete service ${confirm.target ?? ''}?`}
        confirmLabel="Delete service"
      >
        <p>
          Its URL stops answering at once on every node. Sessions already running keep their data until they
          end.
        </p>
      </ConfirmDialog>
    </section>
  );
}
