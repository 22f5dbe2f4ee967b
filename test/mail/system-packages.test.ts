// ensureDebianPackages decides whether to run apt-get, and test files call it from parallel processes.
// A stand-in apt-get and dpkg-query early on PATH record what would have run, so these tests need no
// network and change nothing on the machine.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MODULE = path.resolve(import.meta.dirname, '../setup/system-packages.ts');

let fake: string;
let pkg: string;

beforeEach(async () => {
  fake = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-fake-apt-'));
  await fs.chmod(fake, 0o755);
  pkg = `mailbridge-fake-${randomBytes(4).toString('hex')}`;
  // "Installing" a package makes a binary of the same name and marks the package installed for dpkg-query.
  await script('apt-get', `echo "$PPID $*" >> ${fake}/calls.log
case " $* " in
  *" install "*) sleep 0.3; for arg in "$@"; do case "$arg" in mailbridge-fake-*)
      printf '#!/bin/sh\\n' > ${fake}/$arg; chmod 755 ${fake}/$arg; touch ${fake}/installed-$arg;; esac; done;;
  *" update "*) sleep 0.1;;
esac`);
  await script('dpkg-query', `for last; do :; done
if [ -e ${fake}/installed-$last ]; then printf 'install ok installed'; else exit 1; fi`);
});
afterEach(async () => {
  await fs.rm(fake, { recursive: true, force: true });
});

async function script(name: string, body: string) {
  await fs.writeFile(path.join(fake, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** Runs `code` in a new Node process with the stand-ins first on PATH; `ensure` is ensureDebianPackages. */
async function inChild(code: string, asUid?: number): Promise<string> {
  const program = `const { ensureDebianPackages: ensure } = await import(${JSON.stringify(MODULE)});\n${code}`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, PATH: `${fake}:${process.env.PATH}`, HOME: fake },
    ...(asUid === undefined ? {} : { uid: asUid, gid: asUid }),
  });
  return stdout.trim();
}

async function calls(): Promise<string[][]> {
  const text = await fs.readFile(path.join(fake, 'calls.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '));
}

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('ensureDebianPackages as root', () => {
  it('installs once, with one apt-get update, when four processes ask at the same time', async () => {
    const code = `const paths = await Promise.all([ensure('${pkg}', ['${pkg}']), ensure('${pkg}', ['${pkg}'])]);
console.log(JSON.stringify(paths));`;
    const outputs = await Promise.all([1, 2, 3, 4].map(() => inChild(code)));
    for (const out of outputs) expect(JSON.parse(out)).toEqual([path.join(fake, pkg), path.join(fake, pkg)]);
    const made = await calls();
    expect(made.filter((c) => c.includes('update'))).toHaveLength(1);
    expect(made.filter((c) => c.includes('install'))).toHaveLength(1);
    expect(made.find((c) => c.includes('install'))).toEqual(expect.arrayContaining(['-y', pkg]));
    // apt-get waits for dpkg's lock (another install running) instead of failing at once.
    expect(made[0]).toEqual(expect.arrayContaining(['-o', 'DPkg::Lock::Timeout=600']));
  });

  it('runs apt-get update at most once per process, and nothing once the packages are there', async () => {
    const other = `${pkg}-b`;
    await inChild(`await ensure('${pkg}', ['${pkg}']); await ensure('${other}', ['${other}']);`);
    const made = await calls();
    expect(made.map((c) => (c.includes('update') ? 'update' : 'install'))).toEqual(['update', 'install', 'install']);

    await inChild(`console.log(await ensure('${pkg}', ['${pkg}', '${other}']));`);
    expect(await calls()).toHaveLength(3);
  });

  it('installs a missing sibling package even though the binary is there', async () => {
    const sibling = `${pkg}-lmtpd`;
    await script(pkg, 'exit 0');
    await fs.writeFile(path.join(fake, `installed-${pkg}`), '');
    await inChild(`await ensure('${pkg}', ['${pkg}', '${sibling}']);`);
    expect((await calls()).find((c) => c.includes('install'))).toEqual(expect.arrayContaining([pkg, sibling]));
  });
});

describe('ensureDebianPackages without root', () => {
  it('says the one command to run instead of running apt-get', async () => {
    const code = `console.log(await ensure('${pkg}', ['${pkg}', '${pkg}-lmtpd']).catch((e) => 'ERROR ' + e.message));`;
    const out = await inChild(code, isRoot ? 65534 : undefined);
    expect(out).toBe(`ERROR sudo apt-get install -y ${pkg} ${pkg}-lmtpd`);
    expect(await calls()).toEqual([]);
  });
});
