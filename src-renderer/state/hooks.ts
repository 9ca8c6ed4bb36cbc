import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Hub } from './actions.ts';
import type { AppState } from './store.ts';

export const HubContext = createContext<Hub | null>(null);

export function useHub(): Hub {
  const hub = useContext(HubContext);
  if (hub === null) throw new Error('useHub outside <HubContext>');
  return hub;
}

/** Reads the store through a selector; wrap the selector in useShallow when it builds a new object. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useHub().store, selector);
}
