// Every setting Mailbridge reads, in one schema, parsed once at start by the composition root.
// Nothing else in the code reads process.env: modules receive the parts of Config they need.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A base64 AES-256 key: 32 random bytes. `openssl rand -base64 32` makes one. */
const aesKey = z
  .string()
  .trim()
  .refine((v) => Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes in base64 (make one with: openssl rand -base64 32)',
  });

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address Jira reaches us at; the descriptor's baseUrl. */
  BASE_URL: url.optional(),
  /** PostgreSQL. Unset: an embedded PostgreSQL with its data under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  DATA_DIR: z.string().default('.data'),
  /** Seals secrets at rest. Unset outside production: one is made and kept in DATA_DIR. */
  ENCRYPTION_KEY: aesKey.optional(),
  /** Keys that sealed older rows, comma-separated, so a key can be rotated without losing them. */
  ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((k) => k.trim()).filter(Boolean) : []))
    .pipe(z.array(aesKey)),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Where Jira's install-signing public keys are fetched (ACE's own setting). Unset: Atlassian's CDN. */
  CONNECT_KEYS_CDN_URL: url.optional(),
  /** Jira hosts allowed to install, comma-separated globs such as *.atlassian.net (ACE's own setting). */
  AC_HOST_WHITELIST: z.string().optional(),
  /** Days an uninstalled tenant's data is kept (a re-install within them keeps its Message Sources). */
  UNINSTALL_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** Our OAuth client at Google (a Web application client); Authorize is off until both are set. */
  GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  // Google's endpoints and Gmail's servers: settings so emulators and proxies take the same code path.
  GOOGLE_AUTH_URL: url.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: url.default('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: url.default('https://oauth2.googleapis.com/revoke'),
  GOOGLE_CERTS_URL: url.default('https://www.googleapis.com/oauth2/v1/certs'),
  GMAIL_IMAP_HOST: z.string().trim().min(1).default('imap.gmail.com'),
  GMAIL_IMAP_PORT: port.default(993),
  GMAIL_IMAP_TLS: bool.default(true),
  GMAIL_SMTP_HOST: z.string().trim().min(1).default('smtp.gmail.com'),
  GMAIL_SMTP_PORT: port.default(465),
  GMAIL_SMTP_TLS: bool.default(true),
  /** Which parts this process runs: the web app, the mailbox workers, or both. */
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /**
   * Seconds before a mail whose earlier attempt was cut short (a crash) is looked up in Jira: Jira's
   * search index is eventually consistent, so an issue created a moment ago may not be found yet.
   */
  RECONCILE_AFTER_SECONDS: z.coerce.number().min(0).default(30),
  /**
   * Mails of one Message Source worked on at once. Related mail (a reply and what it answers, one
   * sender's mails) still goes one after another; more hides Jira's latency in a backlog, at the cost
   * of more calls per second against the tenant's Jira rate limits.
   */
  MAILS_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * Where attachments over 256 KB wait, as files, between decoding and upload, so that a large one is
   * never held in memory. Unset: the system's temporary directory.
   */
  SPOOL_DIR: z.string().trim().min(1).optional(),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  baseUrl: string;
  /** Undefined: run the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: string | undefined;
  previousEncryptionKeys: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  connectKeysCdnUrl: string | undefined;
  /** Undefined: ACE's default, Atlassian's cloud hosts in production and any host otherwise. */
  hostWhitelist: string | undefined;
  uninstallRetentionDays: number;
  google: GoogleConfig;
  gmail: { imap: MailServer; smtp: MailServer };
  role: 'all' | 'web' | 'worker';
  ingestion: { reconcileAfterMs: number; mailsInFlight: number; spoolDir: string };
}

export interface GoogleConfig {
  /** Undefined until GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set. */
  client: { id: string; secret: string } | undefined;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  certsUrl: string;
}

export interface MailServer {
  host: string;
  port: number;
  tls: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly variable: string, detail: string) {
    super(`Invalid setting ${variable}: ${detail}`);
  }
}

/** Reads the settings; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  // An empty variable means "not set": docker-compose and shells often pass VAR= for unset values.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const got = present[variable];
    const secret = /KEY|SECRET|PASSWORD|DATABASE_URL/.test(variable);
    const shown = got === undefined ? 'it is not set' : secret ? 'the value given' : JSON.stringify(got);
    throw new ConfigError(variable, `${issue.message} (got ${shown})`);
  }
  const v = parsed.data;
  const production = v.NODE_ENV === 'production';
  if (Boolean(v.GOOGLE_CLIENT_ID) !== Boolean(v.GOOGLE_CLIENT_SECRET)) {
    const missing = v.GOOGLE_CLIENT_ID ? 'GOOGLE_CLIENT_SECRET' : 'GOOGLE_CLIENT_ID';
    throw new ConfigError(missing, 'must be set together with the other one: both come from the same OAuth client in the Google Cloud console');
  }
  if (production && !v.ENCRYPTION_KEY) {
    throw new ConfigError('ENCRYPTION_KEY', 'is required when NODE_ENV=production (make one with: openssl rand -base64 32)');
  }
  return {
    env: v.NODE_ENV,
    port: v.PORT,
    baseUrl: (v.BASE_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    databaseUrl: v.DATABASE_URL,
    dataDir: path.resolve(v.DATA_DIR),
    encryptionKey: v.ENCRYPTION_KEY,
    previousEncryptionKeys: v.ENCRYPTION_PREVIOUS_KEYS,
    logLevel: v.LOG_LEVEL,
    connectKeysCdnUrl: v.CONNECT_KEYS_CDN_URL?.replace(/\/+$/, ''),
    hostWhitelist: v.AC_HOST_WHITELIST,
    uninstallRetentionDays: v.UNINSTALL_RETENTION_DAYS,
    google: {
      client: v.GOOGLE_CLIENT_ID && v.GOOGLE_CLIENT_SECRET ? { id: v.GOOGLE_CLIENT_ID, secret: v.GOOGLE_CLIENT_SECRET } : undefined,
      authUrl: v.GOOGLE_AUTH_URL,
      tokenUrl: v.GOOGLE_TOKEN_URL,
      revokeUrl: v.GOOGLE_REVOKE_URL,
      certsUrl: v.GOOGLE_CERTS_URL,
    },
    gmail: {
      imap: { host: v.GMAIL_IMAP_HOST, port: v.GMAIL_IMAP_PORT, tls: v.GMAIL_IMAP_TLS },
      smtp: { host: v.GMAIL_SMTP_HOST, port: v.GMAIL_SMTP_PORT, tls: v.GMAIL_SMTP_TLS },
    },
    role: v.ROLE,
    ingestion: { reconcileAfterMs: v.RECONCILE_AFTER_SECONDS * 1000, mailsInFlight: v.MAILS_IN_FLIGHT, spoolDir: path.resolve(v.SPOOL_DIR ?? os.tmpdir()) },
  };
}
