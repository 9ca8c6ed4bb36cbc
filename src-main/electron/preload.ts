/**
 * The renderer's only door to the hub. It exposes exactly two functions and refuses every
 * channel but ours; the page never sees ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../src-shared/api.ts';

contextBridge.exposeInMainWorld('groundswell', {
  call: (name: string, params: unknown) => ipcRenderer.invoke(IPC_CALL_CHANNEL, name, params),
  onEvent: (listener: (event: string, payload: unknown) => void) => {
    const wrapped = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  },
});
