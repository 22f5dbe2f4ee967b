// The Jira calls the ingestion makes: create an issue or a comment carrying our entity property (which
// lets a crashed attempt find what it already created), attach files, add watchers, find a user by email.
import type { JiraClient } from './client.js';
import { JiraError } from './client.js';

/** The entity property on every issue and comment Mailbridge creates (indexed: see the descriptor). */
export const MESSAGE_PROPERTY = 'mailbridge';

export interface MessageProperty {
  messageKey: string;
  messageId: string | null;
  sourceId: string;
  sender: { address: string; name: string | null } | null;
}

export interface NewIssue {
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: object;
  reporterAccountId?: string | undefined;
  property: MessageProperty;
}

export async function createIssue(jira: JiraClient, issue: NewIssue): Promise<{ id: string; key: string }> {
  return jira.request<{ id: string; key: string }>('POST', '/rest/api/3/issue', {
    json: {
      fields: {
        project: { id: issue.projectId },
        issuetype: { id: issue.issueTypeId },
        summary: issue.summary,
        description: issue.description,
        ...(issue.reporterAccountId ? { reporter: { accountId: issue.reporterAccountId } } : {}),
      },
      properties: [{ key: MESSAGE_PROPERTY, value: issue.property }],
    },
  });
}

export async function addComment(jira: JiraClient, issueKey: string, body: object, property: MessageProperty): Promise<{ id: string }> {
  return jira.request<{ id: string }>('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`, {
    json: { body, properties: [{ key: MESSAGE_PROPERTY, value: property }] },
  });
}

export interface ExistingAttachment {
  id: string;
  filename: string;
  size: number;
}

export async function attach(jira: JiraClient, issueKey: string, file: { filename: string; contentType: string; content: Blob }): Promise<ExistingAttachment[]> {
  const form = new FormData();
  // A File made of a file-backed Blob (a spooled part) still reads from the file, as the request is sent.
  form.append('file', new File([file.content], file.filename, { type: file.contentType }));
  return jira.request<ExistingAttachment[]>('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/attachments`, { form });
}

/**
 * Replaces the issue's description (an ADF document). notifyUsers=false is not asked for: it needs
 * the Administer projects permission, which a READ/WRITE app does not have.
 */
export async function setDescription(jira: JiraClient, issueKey: string, description: object): Promise<void> {
  await jira.request('PUT', `/rest/api/3/issue/${encodeURIComponent(issueKey)}`, { json: { fields: { description } } });
}

/** Replaces a comment's body (an ADF document). */
export async function setCommentBody(jira: JiraClient, issueKey: string, commentId: string, body: object): Promise<void> {
  await jira.request('PUT', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment/${encodeURIComponent(commentId)}`, { query: { notifyUsers: 'false' }, json: { body } });
}

/**
 * Where Atlassian's media service keeps an attachment's file, which an ADF `media` node must name.
 * The REST API has no field for it; the download redirect of the attachment's content goes to
 * `.../file/<media file id>/binary?...`. Undefined when the redirect says otherwise. The collection is
 * left empty, as Jira itself stores it when it turns an attached image into a media node.
 */
export async function mediaOf(jira: JiraClient, attachmentId: string): Promise<{ id: string; collection: string } | undefined> {
  const location = await jira.location(`/rest/api/3/attachment/content/${encodeURIComponent(attachmentId)}`);
  if (!location) return undefined;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  const id = /\/file\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i.exec(url.pathname)?.[1];
  return id ? { id: id.toLowerCase(), collection: '' } : undefined;
}

export async function attachmentsOf(jira: JiraClient, issueKey: string): Promise<ExistingAttachment[]> {
  const issue = await jira.request<{ fields: { attachment?: ExistingAttachment[] } }>('GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}`, {
    query: { fields: 'attachment' },
  });
  return issue.fields.attachment ?? [];
}

/** Whether the issue exists (a key in a subject may name a deleted or never-existing issue). */
export async function issueExists(jira: JiraClient, issueKey: string): Promise<boolean> {
  try {
    await jira.request('GET', `/rest/api/3/issue/${encodeURIComponent(issueKey)}`, { query: { fields: 'summary' } });
    return true;
  } catch (err) {
    if (err instanceof JiraError && err.status === 404) return false;
    throw err;
  }
}

/** The issue an earlier attempt created for this message, found by its indexed property. */
export async function findIssueByMessageKey(jira: JiraClient, projectId: string, messageKey: string): Promise<string | undefined> {
  const found = await jira.request<{ issues: { key?: string; id: string }[] }>('POST', '/rest/api/3/search/jql', {
    json: { jql: `project = ${projectId} AND issue.property[${MESSAGE_PROPERTY}].messageKey = ${JSON.stringify(messageKey)}`, fields: ['summary'], maxResults: 1 },
  });
  return found.issues[0]?.key;
}

/** The comment an earlier attempt added for this message, found by its property. */
export async function findCommentByMessageKey(jira: JiraClient, issueKey: string, messageKey: string): Promise<string | undefined> {
  for (let startAt = 0; ; ) {
    const page = await jira.request<{ comments: { id: string; properties?: { key: string; value: unknown }[] }[]; total: number }>(
      'GET',
      `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`,
      { query: { startAt, maxResults: 100, expand: 'properties', orderBy: '-created' } },
    );
    const hit = page.comments.find((c) => c.properties?.some((p) => p.key === MESSAGE_PROPERTY && (p.value as MessageProperty | undefined)?.messageKey === messageKey));
    if (hit) return hit.id;
    startAt += page.comments.length;
    if (!page.comments.length || startAt >= page.total) return undefined;
  }
}

export async function addWatcher(jira: JiraClient, issueKey: string, accountId: string): Promise<void> {
  await jira.request('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/watchers`, { json: accountId });
}

/**
 * The Jira user with this email address, when Jira reveals it: a user's email is hidden unless their
 * profile shows it, so an unknown result is common and not an error.
 */
export async function findUserByEmail(jira: JiraClient, email: string): Promise<string | undefined> {
  const users = await jira.request<{ accountId: string; emailAddress?: string; accountType?: string; active?: boolean }[]>('GET', '/rest/api/3/user/search', {
    query: { query: email, maxResults: 10 },
  });
  const wanted = email.toLowerCase();
  return users.find((u) => u.active !== false && u.accountType !== 'app' && u.emailAddress?.toLowerCase() === wanted)?.accountId;
}
