// Calling the admin API the way the admin UI does: with the context token Jira hands the iframe.
import type { JiraSite } from '../../dev/jira/site.js';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** With `seen`, every answer's text is kept there, for tests that check no answer ever held a secret. */
export function apiClient(baseUrl: string, site: JiraSite, seen?: string[]) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `JWT ${site.contextToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    seen?.push(text);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
  };
}
