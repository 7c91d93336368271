import { graphql } from '../../gql';

export const ResourcesReportQuery = graphql(`
  query ReportingResources($range: ReportRangeInput!, $group: String) {
    resourcesReport(range: $range, group: $group) {
      __typename
      ... on QueryResourcesReportSuccess {
        data {
          range {
            from
            to
            bucket
          }
          groups {
            group
            allocations
            releases
            expirations
            exhaustions
            buckets {
              start
              allocations
              releases
              exhaustions
              peakBooked
            }
          }
        }
      }
      ...ResultError
    }
  }
`);

export const ServicesReportQuery = graphql(`
  query ReportingServices($range: ReportRangeInput!, $service: String) {
    servicesReport(range: $range, service: $service) {
      __typename
      ... on QueryServicesReportSuccess {
        data {
          range {
            from
            to
            bucket
          }
          total
          ok
          failed
          services {
            service
            total
            ok
            failed
            buckets {
              start
              total
              ok
              failed
            }
          }
        }
      }
      ...ResultError
    }
  }
`);

export const CallbackReportQuery = graphql(`
  query ReportingCallback($range: ReportRangeInput!, $service: String) {
    callbackReport(range: $range, service: $service) {
      __typename
      ... on QueryCallbackReportSuccess {
        data {
          range {
            from
            to
            bucket
          }
          created
          connected
          completed
          cancelled
          abandoned
          series {
            service
            queue
            buckets {
              start
              created
              connected
              completed
              cancelled
              abandoned
            }
          }
        }
      }
      ...ResultError
    }
  }
`);

export const ExportReportMutation = graphql(`
  mutation ReportingExport(
    $report: ReportKind!
    $format: ReportExportFormat!
    $range: ReportRangeInput!
    $group: String
    $service: String
  ) {
    exportReport(report: $report, format: $format, range: $range, group: $group, service: $service) {
      __typename
      ... on MutationExportReportSuccess {
        data {
          path
          filename
        }
      }
      ...ResultError
    }
  }
`);

/** What the filter offers besides what has activity: the groups defined under Tools, the configured services. */
export const ReportFilterOptionsQuery = graphql(`
  query ReportingFilterOptions {
    resourceGroups {
      name
    }
    services {
      name
      serviceType
    }
  }
`);
