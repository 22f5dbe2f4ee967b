// The one way the admin UI talks to the Mailbridge API. Every call asks Jira for its context token
// (AP.context.getToken()); tokens last 15 minutes, so none is kept here. A Forge build swaps this module
// for one using invokeRemote (DESIGN.md).
import type { Explanation } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly explanation?: Explanation,
    /** Field name → what is wrong with it (400 INVALID_INPUT, USERNAME_MISMATCH). */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; fields?: unknown; explanation?: unknown };
}

const API_ROOT = '/api';

async function contextToken(): Promise<string> {
  const bridge = window.AP;
  if (!bridge) throw new ApiError(0, 'NO_JIRA', 'This page must be opened from Jira (Apps → Messaging).');
  return bridge.context.getToken();
}

function errorFrom(status: number, body: unknown): ApiError {
  const e = (body as ErrorBody | undefined)?.error;
  const code = typeof e?.code === 'string' ? e.code : `HTTP_${status}`;
  const message = typeof e?.message === 'string' ? e.message : `Mailbridge answered with an error (HTTP ${status}). Try again in a minute.`;
  const fields = e?.fields && typeof e.fields === 'object' ? (e.fields as Record<string, string>) : undefined;
  const explanation = e?.explanation && typeof e.explanation === 'object' ? (e.explanation as Explanation) : undefined;
  return new ApiError(status, code, message, explanation, fields);
}

/** Fetches a file from the API (`path` below /api) with the context token in its header, never in a URL. */
export async function apiBlob(path: string): Promise<Blob> {
  const token = await contextToken();
  let res: Response;
  try {
    res = await fetch(API_ROOT + path, { headers: { Authorization: `JWT ${token}` } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Mailbridge could not be reached. Check your connection and try again.');
  }
  if (!res.ok) {
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    throw errorFrom(res.status, data);
  }
  return res.blob();
}

/** Calls the API (`path` below /api) and returns its JSON; throws ApiError for any failure. */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const token = await contextToken();
  let res: Response;
  try {
    res = await fetch(API_ROOT + path, {
      method,
      headers: {
        Authorization: `JWT ${token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Mailbridge could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, 'BAD_RESPONSE', 'Mailbridge sent an answer the page cannot read. Reload the page.');
    }
  }
  if (!res.ok) throw errorFrom(res.status, data);
  return data as T;
}
