import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { generateKey } from '../../src/store/crypto.js';

const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected the settings to be refused');
};

describe('settings', () => {
  it('has working defaults: port 3000, BASE_URL from it, the embedded database', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, baseUrl: 'http://localhost:3000', databaseUrl: undefined, logLevel: 'info', env: 'development', uninstallRetentionDays: 30 });
    expect(c.dataDir).toMatch(/\.data$/);
    expect(loadConfig({ PORT: '8080' }).baseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ BASE_URL: 'https://mail.example.com/' }).baseUrl).toBe('https://mail.example.com');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('stops on a bad value with one line naming the variable', () => {
    const err = fails({ PORT: 'eighty' });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/^Invalid setting PORT: .*"eighty"/);
    expect(err.message).not.toContain('\n');
    expect(fails({ BASE_URL: 'ftp://x' }).variable).toBe('BASE_URL');
    expect(fails({ DATABASE_URL: 'mysql://x' }).variable).toBe('DATABASE_URL');
    expect(fails({ LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
  });

  it('never repeats a secret back in its error', () => {
    const err = fails({ ENCRYPTION_KEY: 'tooshort-but-secret' });
    expect(err.variable).toBe('ENCRYPTION_KEY');
    expect(err.message).toContain('openssl rand -base64 32');
    expect(err.message).not.toContain('tooshort-but-secret');
  });

  it('requires ENCRYPTION_KEY in production, and takes previous keys for rotation', () => {
    expect(fails({ NODE_ENV: 'production' }).variable).toBe('ENCRYPTION_KEY');
    const [k1, k2] = [generateKey(), generateKey()];
    const c = loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: k1, ENCRYPTION_PREVIOUS_KEYS: ` ${k2} ,` });
    expect(c.previousEncryptionKeys).toEqual([k2]);
    expect(fails({ ENCRYPTION_PREVIOUS_KEYS: 'nope' }).variable).toBe('ENCRYPTION_PREVIOUS_KEYS');
  });
});
