/**
 * A value kept on an object itself, under a private non-enumerable symbol: it lives exactly as long
 * as the object, as a WeakMap entry would, without the WeakMap.
 *
 * Why not a WeakMap for keys that die young (a parsed poke, an event, a request): V8 11 (Node 20)
 * keeps a WeakMap entry whose key is still in the young generation alive through a scavenge, key
 * and value, so both are copied and then promoted, and only a full GC frees them. Every event on
 * the subscribers' instance of the cross-instance push bench left ~2.5 KB that outlived a
 * scavenge that way, and its scavenges took 11–20 ms (BENCHMARKS.md, "WeakMaps on the hot path").
 *
 * Non-enumerable: object spread, `Object.keys` and `JSON.stringify` never see or copy it. An object
 * that cannot take a property (frozen, sealed) falls back to a WeakMap.
 */
export interface ObjectSlot<T> {
  get(target: object): T | undefined;
  has(target: object): boolean;
  set(target: object, value: T): void;
}

export function objectSlot<T>(description: string): ObjectSlot<T> {
  const key = Symbol(description);
  const fallback = new WeakMap<object, T>();
  type Holder = { [key]?: T };
  return {
    get: (target) => (Object.hasOwn(target, key) ? (target as Holder)[key] : fallback.get(target)),
    has: (target) => Object.hasOwn(target, key) || fallback.has(target),
    set(target, value) {
      if (Object.hasOwn(target, key)) (target as Holder)[key] = value;
      else if (Object.isExtensible(target))
        Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
      else fallback.set(target, value);
    },
  };
}
