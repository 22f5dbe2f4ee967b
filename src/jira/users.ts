// The people of the tenant's Jira a Message Source can name as its default reporter, for the admin
// UI's picker: real, active accounts only (not apps, not deactivated users).
import type { JiraClient } from './client.js';

export interface UserChoice {
  accountId: string;
  displayName: string;
}

interface JiraUser {
  accountId: string;
  displayName?: string;
  accountType?: string;
  active?: boolean;
}

const person = (u: JiraUser) => u.accountType === 'atlassian' && u.active !== false;
const choice = (u: JiraUser): UserChoice => ({ accountId: u.accountId, displayName: u.displayName ?? u.accountId });

/** Users whose name (or visible email) matches what the admin typed, at most 20. */
export async function searchUsers(jira: JiraClient, query: string): Promise<UserChoice[]> {
  const users = await jira.request<JiraUser[]>('GET', '/rest/api/3/user/search', { query: { query, maxResults: 50 } });
  return users.filter(person).slice(0, 20).map(choice);
}

/** The user with this account id, to show the saved default reporter by name; null when gone. */
export async function userById(jira: JiraClient, accountId: string): Promise<UserChoice | null> {
  const users = await jira.request<JiraUser[]>('GET', '/rest/api/3/user/search', { query: { accountId, maxResults: 1 } });
  const user = users.find((u) => u.accountId === accountId);
  return user ? choice(user) : null;
}
