// A stand-in for Jira Cloud, for the tests and the local sandbox. It plays both of Atlassian's parts in
// an installation: the key CDN that serves the public keys install events are signed with
// (CONNECT_KEYS_CDN_URL), and any number of Jira sites, each on its own port, that install our app by
// calling its /installed with an RS256 JWT and then answer its REST calls (see site.ts).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { listen, type Listening } from '../http.js';
import { JiraSite, type SiteOptions } from './site.js';

export interface InstallKey {
  kid: string;
  privateKey: string;
  publicKey: string;
}

export function makeInstallKey(): InstallKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { kid: randomUUID(), privateKey, publicKey };
}

export class JiraEmulator {
  readonly sites: JiraSite[] = [];
  private readonly keys = new Map<string, InstallKey>();

  private constructor(
    private readonly cdn: Listening,
    keys: Map<string, InstallKey>,
    /** The key sites sign install events with. */
    readonly installKey: InstallKey,
  ) {
    this.keys = keys;
  }

  static async start(): Promise<JiraEmulator> {
    const keys = new Map<string, InstallKey>();
    const key = makeInstallKey();
    keys.set(key.kid, key);
    // The CDN answers GET /<kid> with the PEM public key, 404 for a kid it does not know.
    const cdn = await listen((req, res) => {
      const kid = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '');
      const found = req.method === 'GET' ? keys.get(kid) : undefined;
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(found.publicKey);
    });
    return new JiraEmulator(cdn, keys, key);
  }

  /** What CONNECT_KEYS_CDN_URL must be for our app to trust this emulator's install events. */
  get keysCdnUrl(): string {
    return this.cdn.url;
  }

  /** Starts a new Jira site with its own port, clientKey and shared secret. */
  async createSite(options: SiteOptions = {}): Promise<JiraSite> {
    const site = await JiraSite.start(this.installKey, options);
    this.sites.push(site);
    return site;
  }

  async stop(): Promise<void> {
    await Promise.all(this.sites.map((s) => s.stop()));
    await this.cdn.close();
    this.keys.clear();
  }
}
