// Jira's Connect bridge (all.js), as far as the admin UI uses it. Forge replaces this file and
// transport.ts with its own bridge; nothing else in the UI knows about AP.
export interface ConnectBridge {
  context: { getToken(): Promise<string> };
}

declare global {
  interface Window {
    AP?: ConnectBridge;
  }
}

/** Resolves once all.js has defined window.AP; rejects when it never does (the page was opened outside Jira). */
export function waitForBridge(timeoutMs = 10_000): Promise<ConnectBridge> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (window.AP?.context) return resolve(window.AP);
      if (Date.now() - started > timeoutMs) return reject(new Error('Jira’s page bridge (all.js) did not load.'));
      window.setTimeout(check, 50);
    };
    check();
  });
}
