// Every setting Mailbridge reads, in one schema, parsed once at start by the composition root.
// Nothing else in the code reads process.env: modules receive the parts of Config they need.
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
  };
}
