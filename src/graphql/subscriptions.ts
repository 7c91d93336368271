import type { BusSubscription } from '../pubsub/event-bus.js';
import type { Topic, TopicMap } from '../pubsub/topics.js';
import type { GraphQLContext } from './context.js';

/** A bus subscription for a GraphQL subscription field; a subscriber that overflows is dropped. */
export function subscribeTopic<T extends Topic>(
  ctx: GraphQLContext,
  topic: T,
  key: string | null,
): BusSubscription<TopicMap[T]> {
  return ctx.deps.bus.subscribe(topic, key, { onOverflow: () => ctx.dropSlowSubscriber?.() });
}
