import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { HubClient } from '../src-shared/api.ts';
import { electronClient } from './api/electronClient.ts';
import { socketClient, socketUrl } from './api/socketClient.ts';
import { App } from './components/App.tsx';
import { createHub, followHubEvents, refreshAll, setConnection, type Hub } from './state/actions.ts';
import { loadKinds } from './state/accountActions.ts';
import { followAttentionEvents, loadAttention } from './state/attentionActions.ts';
import { BrowserNotifier, pageNotifications } from './state/browserNotifier.ts';
import { followChatEvents } from './state/chatActions.ts';
import { followPreferenceEvents, followTheme, loadPreferences, pageStorage, rememberedTheme } from './state/preferenceActions.ts';
import { followSecurityEvents } from './state/securityActions.ts';
import { HubContext } from './state/hooks.ts';
import { createAppStore } from './state/store.ts';
import './styles.css';

function start(): void {
  const store = createAppStore();
  let hub: Hub | null = null;
  let client: HubClient;
  if (window.groundswell !== undefined) {
    client = electronClient(window.groundswell);
    store.setState({ connection: 'online' });
  } else {
    client = socketClient({
      url: socketUrl(window.location),
      onConnection: (state) => {
        if (hub !== null) setConnection(hub, state);
        else store.setState({ connection: state });
      },
    });
  }
  hub = createHub(client, store);
  followHubEvents(hub);
  followChatEvents(hub);
  followSecurityEvents(hub);
  followPreferenceEvents(hub);
  followAttentionEvents(hub, new BrowserNotifier(pageNotifications(window)));
  const storage = pageStorage();
  const theme = rememberedTheme(storage);
  if (theme !== undefined) store.setState((s) => ({ preferences: { ...s.preferences, theme } }));
  followTheme(hub, document.documentElement, storage);
  void refreshAll(hub);
  void loadPreferences(hub);
  void loadAttention(hub);
  // The labels of plug-in kinds, for their accounts' settings; the Add account dialog asks again.
  void loadKinds(hub);

  const root = document.getElementById('root');
  if (root === null) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <HubContext value={hub}>
        <App />
      </HubContext>
    </StrictMode>,
  );
}

start();
