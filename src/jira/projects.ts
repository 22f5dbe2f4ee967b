// The projects and issue types a Message Source can create issues in, for the admin UI's pickers.
import type { JiraClient } from './client.js';

export interface ProjectChoice {
  id: string;
  key: string;
  name: string;
}

export interface IssueTypeChoice {
  id: string;
  name: string;
}

export async function listProjects(jira: JiraClient): Promise<ProjectChoice[]> {
  const all: ProjectChoice[] = [];
  for (let startAt = 0; ; ) {
    const page = await jira.request<{ values: ProjectChoice[]; isLast?: boolean; total?: number; maxResults: number }>('GET', '/rest/api/3/project/search', {
      query: { startAt, maxResults: 100, orderBy: 'name' },
    });
    all.push(...page.values.map(({ id, key, name }) => ({ id, key, name })));
    startAt += page.values.length;
    if (page.isLast !== false || page.values.length === 0) return all;
  }
}

/** Issue types that can be created on their own (not sub-tasks, which need a parent). */
export async function listIssueTypes(jira: JiraClient, projectId: string): Promise<IssueTypeChoice[]> {
  const types = await jira.request<{ id: string; name: string; subtask?: boolean; hierarchyLevel?: number }[]>('GET', '/rest/api/3/issuetype/project', {
    query: { projectId },
  });
  return types.filter((t) => !t.subtask && (t.hierarchyLevel ?? 0) >= 0).map(({ id, name }) => ({ id, name }));
}
