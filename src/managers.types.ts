/**
 * Every domain manager of an instance, by name: what adapters (GraphQL, legacy REST, CometD,
 * provisioning) are handed. It imports nothing: each module adds its managers by declaration
 * merging beside their class, as `TopicMap` does for bus topics:
 *
 *     declare module '../../managers.types.js' {
 *       interface Managers { patterns: PatternManager }
 *     }
 *
 * `createManagers` (managers.ts, the composition root) returns this type, so a manager declared here
 * but not built there (or the reverse) fails the typecheck. Lower-level files import this leaf, never
 * managers.ts, so no import cycle runs through the composition root.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in every module.
export interface Managers {}
