// The admin UI's entry: Jira's theme tokens, the page this address stands for, once Jira's bridge is there.
import '@atlaskit/css-reset';
import './styles.css';
import { setGlobalTheme } from '@atlaskit/tokens/set-global-theme';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { waitForBridge } from './ap';
import { turnOffAtlaskitFeatureFlags } from './feature-flags';
import { ConnectionsPage } from './components/ConnectionsPage';
import { ProblemMessage } from './components/ProblemMessage';
import { kindForPath } from './kinds';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);
const kind = kindForPath(window.location.pathname);
if (kind) document.title = `${kind.title} · Mailbridge`;

turnOffAtlaskitFeatureFlags();
void setGlobalTheme({ colorMode: 'light' });

waitForBridge().then(
  () =>
    root.render(
      <StrictMode>
        {kind ? (
          <ConnectionsPage kind={kind} />
        ) : (
          <ProblemMessage title="Unknown page" problem={{ code: 'NOT_FOUND', message: `Mailbridge has no admin page at ${window.location.pathname}.`, action: 'Open Apps → Messaging in Jira.' }} />
        )}
      </StrictMode>,
    ),
  () =>
    root.render(
      <ProblemMessage
        title="Open this page from Jira"
        problem={{ code: 'NO_JIRA', message: 'Jira’s page bridge (all.js) did not load, so this page cannot reach Mailbridge.', action: 'Open it from Jira: Settings → Apps → Messaging. If it keeps happening, check that connect-cdn.atl-paas.net is not blocked.' }}
      />,
    ),
);
