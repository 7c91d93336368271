/** Ready examples for the Lab's GraphiQL: each a runnable operation on this server's schema. */
export const LAB_EXAMPLES = `# Ready examples. Pick one with the run button's menu.
# Your console session's token is sent with every operation (HTTP and WebSocket).

query ClusterNodes {
  nodes { id name version health status lastSeenAt flaggedForRemoval }
  clusterSummary { nodes up down flaggedForRemoval }
}

query ConfiguredServices {
  services { name type }
  serviceTemplates { name }
}

query PatternTest {
  patternGroups { name patterns { name regex } }
}

query ResourceGroups {
  resourceGroups { name allocation locking }
}

query CallbackQueue {
  callbackQueue(limit: 20) { id serviceName state desiredTime }
}

# Start this one, then change a node's status (below) in another tab.
subscription WatchNodes {
  nodeChanged { id name change health status }
}

mutation SetOnline {
  changeNodeStatus(status: ONLINE) { id status }
}
`;
