// A failed mail connection, with the code the explanations (google/explain.ts) know.
import type { ProblemCode } from '../google/explain.js';

export class MailConnectionError extends Error {
  constructor(
    readonly code: Extract<ProblemCode, 'MAIL_AUTH_FAILED' | 'MAIL_AUTH_UNAVAILABLE' | 'MAIL_UNREACHABLE' | 'MAIL_FOLDER_MISSING' | 'MAIL_ERROR'>,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export type MailAuth = { user: string; accessToken: string } | { user: string; pass: string };

export interface MailEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNECTION', 'ESOCKET', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT']);

export function isNetworkError(err: { code?: unknown }): boolean {
  return typeof err.code === 'string' && NETWORK.has(err.code);
}
