import { createContext, type ReactNode, useContext, useEffect, useRef } from 'react';
import type { ConsoleClient } from './urql';

const ReconnectContext = createContext<ConsoleClient['onReconnected'] | null>(null);

export function ReconnectProvider({
  value,
  children,
}: {
  value: ConsoleClient['onReconnected'];
  children: ReactNode;
}) {
  return <ReconnectContext.Provider value={value}>{children}</ReconnectContext.Provider>;
}

/** Runs `callback` after the WebSocket reconnects: live events sent while it was down are lost, so re-read. */
export function useReconnected(callback: () => void): void {
  const subscribe = useContext(ReconnectContext);
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => subscribe?.(() => latest.current()), [subscribe]);
}
