// atlassian-connect-express, set up from our Config instead of its config.json, with our Prisma-backed
// store. ACE serves the descriptor and verifies /installed (RS256, key from CONNECT_KEYS_CDN_URL);
// auth.ts adds what ACE leaves out.
import type { Express } from 'express';
import ace from 'atlassian-connect-express';
import type { Config } from '../config.js';
import { aceLogger, type Logger } from '../log.js';
import type { AceStoreAdapter } from './store-adapter.js';
import { loadDescriptor, type Descriptor } from './descriptor.js';

export type Addon = ReturnType<typeof ace>;

const STORE_NAME = 'mailbridge-prisma';
// ACE's store registry is global; each app hands its own adapter through the store options.
ace.store.register(STORE_NAME, (_logger, opts) => (opts as { create: () => AceStoreAdapter }).create() as never);

/** Builds the addon and waits until ACE has registered its routes (descriptor, /installed). */
export function createAddon(app: Express, config: Config, store: AceStoreAdapter, log: Logger): Promise<{ addon: Addon; descriptor: Descriptor }> {
  const descriptor = loadDescriptor(config.baseUrl);
  // ACE reads this one setting only from the environment (at each install), so it is handed over there.
  if (config.connectKeysCdnUrl) process.env.CONNECT_KEYS_CDN_URL = config.connectKeysCdnUrl;
  const settings = {
    localBaseUrl: config.baseUrl,
    port: config.port,
    product: 'jira',
    whitelist: config.hostWhitelist,
    // A function, so ACE's settings walker (which rewrites $VARS in strings) leaves the adapter alone.
    store: { adapter: STORE_NAME, create: () => store },
    // Errors go to our error handler (auth.ts), which answers 401 where the token is at fault.
    expressErrorHandling: true,
    watch: false,
    validateDescriptor: false,
    descriptorTransformer: () => descriptor,
  };
  const mode = String(app.get('env'));
  return new Promise((resolve) => {
    const addon = ace(
      app,
      // An empty config file name: every setting comes from here, never from a config.json in the cwd.
      { config: { [mode]: settings, development: settings, production: settings } } as never,
      aceLogger(log) as never,
      { configFileName: '' } as never,
      () => resolve({ addon, descriptor }),
    );
  });
}
