/**
 * The typed topic map. Each module adds its topics by declaration merging:
 *
 *   declare module '../../pubsub/topics.js' {
 *     interface TopicMap { 'node:changed': NodeChange }
 *   }
 *
 * Payloads must be small and JSON-safe: they cross Redis as JSON.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in modules
export interface TopicMap {}

export type Topic = keyof TopicMap & string;
