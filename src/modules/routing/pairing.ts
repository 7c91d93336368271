import { type MatchableAgent, matchesAgent, type ParsedTarget } from './target.js';

/**
 * THE pairing policy of a matching pass, without SQL: requests in the order given (priority, then
 * arrival), each takes the first agent in the order given (ready longest first) that is still free
 * and matches the request's target. A request whose target no free agent matches waits; the pass
 * stops once every agent is taken.
 */
export function pairRequests<R extends { target: string }>(
  requests: readonly R[],
  agents: readonly MatchableAgent[],
  targets: ReadonlyMap<string, ParsedTarget>,
): { req: R; agentId: string }[] {
  const taken = new Set<string>();
  const pairs: { req: R; agentId: string }[] = [];
  for (const req of requests) {
    const parsed = targets.get(req.target);
    if (!parsed) continue;
    const agent = agents.find((p) => !taken.has(p.id) && matchesAgent(parsed.expr, p));
    if (!agent) continue;
    taken.add(agent.id);
    pairs.push({ req, agentId: agent.id });
    if (taken.size === agents.length) break;
  }
  return pairs;
}
