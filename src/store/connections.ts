// Message Sources and Message Outbounds of one tenant: the same rules for both, so one repository.
// Every query is scoped by tenantId, so a row of another tenant is indistinguishable from a missing
// one. Passwords (plain IMAP/SMTP) are sealed and never leave this module but through password().
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { Keyring } from './crypto.js';
import type { MessageOutbound, MessageSource } from '../generated/prisma/client.js';
import type { MessageOutboundCreate, MessageOutboundUpdate, MessageSourceCreate, MessageSourceUpdate } from '../api/schemas.js';
import { AppError, notFound } from '../errors.js';
import { isUniqueViolation } from './errors.js';

export interface ConnectionRow {
  id: string;
  tenantId: string;
  name: string;
  type: string;
  username: string | null;
  host: string | null;
  port: number | null;
  tls: boolean;
  credentialId: string | null;
  passwordCipher: Uint8Array | null;
  passwordKeyId: string | null;
}

/** Fields only the server sets: the outcome of the last connection test. */
export interface ConnectionState {
  status: 'NEW' | 'AUTHORIZED' | 'NEEDS_REAUTHORIZATION' | 'ERROR' | 'DISABLED';
  statusReason: string | null;
  statusDetail: string | null;
  lastCheckedAt: Date | null;
}

/** The few Prisma calls this repository makes, common to both models. */
interface Delegate<Row> {
  findMany(args: { where: { tenantId: string }; orderBy: { name: 'asc' } }): Promise<Row[]>;
  findFirst(args: { where: { id: string; tenantId: string } }): Promise<Row | null>;
  create(args: { data: Record<string, unknown> }): Promise<Row>;
  updateMany(args: { where: { id: string; tenantId: string }; data: Record<string, unknown> }): Promise<{ count: number }>;
  deleteMany(args: { where: { id: string; tenantId: string } }): Promise<{ count: number }>;
}

/** Fields that never leave the server: secrets, the tenant link and the mailbox checkpoint. */
const HIDDEN = ['passwordCipher', 'passwordKeyId', 'tenantId', 'checkpoint'] as const;

export type ConnectionView<Row> = Omit<Row, (typeof HIDDEN)[number]> & { hasPassword: boolean };

export class Connections<Row extends ConnectionRow, Create extends { name: string; password?: string | undefined }, Update extends { name?: string | undefined; password?: string | undefined }> {
  constructor(
    private readonly rows: Delegate<Row>,
    private readonly keyring: Keyring,
    /** The users' word for the thing, e.g. "Message Source". */
    private readonly label: string,
    /** Binds sealed passwords to this kind of row. */
    private readonly kind: string,
  ) {}

  private view(row: Row): ConnectionView<Row> {
    const shown: Record<string, unknown> = { ...(row as Record<string, unknown>), hasPassword: row.passwordCipher !== null };
    for (const f of HIDDEN) delete shown[f];
    return shown as ConnectionView<Row>;
  }

  private passwordContext(id: string) {
    return `${this.kind}:${id}:password`;
  }

  private duplicateName(name: string) {
    return new AppError('NAME_TAKEN', `A ${this.label} named "${name}" already exists. Choose another Name.`, 409);
  }

  private sealPassword(id: string, password: string | undefined) {
    if (!password) return {};
    const sealed = this.keyring.seal(password, this.passwordContext(id));
    return { passwordCipher: sealed.cipher, passwordKeyId: sealed.keyId };
  }

  async list(tenantId: string): Promise<ConnectionView<Row>[]> {
    const rows = await this.rows.findMany({ where: { tenantId }, orderBy: { name: 'asc' } });
    return rows.map((r) => this.view(r));
  }

  async get(tenantId: string, id: string): Promise<ConnectionView<Row>> {
    const row = await this.rows.findFirst({ where: { id, tenantId } });
    if (!row) throw notFound(`The ${this.label}`);
    return this.view(row);
  }

  async create(tenantId: string, input: Create, state: Partial<ConnectionState> = {}): Promise<ConnectionView<Row>> {
    const id = randomUUID();
    const { password, ...fields } = input;
    try {
      return this.view(await this.rows.create({ data: { ...fields, ...state, id, tenantId, ...this.sealPassword(id, password) } }));
    } catch (err) {
      if (isUniqueViolation(err)) throw this.duplicateName(input.name);
      throw err;
    }
  }

  async update(tenantId: string, id: string, patch: Update, state: Partial<ConnectionState> = {}): Promise<ConnectionView<Row>> {
    const { password, ...fields } = patch;
    let count: number;
    try {
      ({ count } = await this.rows.updateMany({ where: { id, tenantId }, data: { ...fields, ...state, ...this.sealPassword(id, password) } }));
    } catch (err) {
      if (isUniqueViolation(err)) throw this.duplicateName(patch.name ?? '');
      throw err;
    }
    if (count === 0) throw notFound(`The ${this.label}`);
    return this.get(tenantId, id);
  }

  async setState(tenantId: string, id: string, state: ConnectionState): Promise<void> {
    const { count } = await this.rows.updateMany({ where: { id, tenantId }, data: { ...state } });
    if (count === 0) throw notFound(`The ${this.label}`);
  }

  /** The stored row with its password opened: what a connection test needs. Server-side only. */
  async stored(tenantId: string, id: string): Promise<Row & { password: string | null }> {
    const row = await this.rows.findFirst({ where: { id, tenantId } });
    if (!row) throw notFound(`The ${this.label}`);
    const password = row.passwordCipher && row.passwordKeyId ? this.keyring.open({ cipher: Uint8Array.from(row.passwordCipher), keyId: row.passwordKeyId }, this.passwordContext(id)) : null;
    return { ...row, password };
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const { count } = await this.rows.deleteMany({ where: { id, tenantId } });
    if (count === 0) throw notFound(`The ${this.label}`);
  }
}

export type MessageSources = Connections<MessageSource, MessageSourceCreate, MessageSourceUpdate>;
export type MessageOutbounds = Connections<MessageOutbound, MessageOutboundCreate, MessageOutboundUpdate>;
export type MessageSourceView = ConnectionView<MessageSource>;
export type MessageOutboundView = ConnectionView<MessageOutbound>;

export function messageSources(db: Db, keyring: Keyring): MessageSources {
  return new Connections(db.messageSource, keyring, 'Message Source', 'messageSource');
}

export function messageOutbounds(db: Db, keyring: Keyring): MessageOutbounds {
  return new Connections(db.messageOutbound, keyring, 'Message Outbound', 'messageOutbound');
}
