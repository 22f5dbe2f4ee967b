// Rows put straight into the store, for tests about something else than creating them (creating one
// through the API tests a real mail connection first).
import type { JiraSite } from '../../dev/jira/site.js';
import { messageOutbounds, messageSources } from '../../src/store/connections.js';
import type { MessageOutboundCreate, MessageSourceCreate } from '../../src/api/schemas.js';
import type { Harness } from './harness.js';

async function tenantId(h: Harness, site: JiraSite): Promise<string> {
  const t = await h.web.tenants.findByClientKey(site.clientKey);
  if (!t) throw new Error('the site has not installed the app');
  return t.id;
}

export async function seedSource(h: Harness, site: JiraSite, input: MessageSourceCreate) {
  return messageSources(h.db, h.keyring).create(await tenantId(h, site), input);
}

export async function seedOutbound(h: Harness, site: JiraSite, input: MessageOutboundCreate) {
  return messageOutbounds(h.db, h.keyring).create(await tenantId(h, site), input);
}
