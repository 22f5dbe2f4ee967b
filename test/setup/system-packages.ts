// The Debian packages the suite's real servers come from (Dovecot for IMAP, Chromium for the browser
// tests), installed once before any test runs, so no test's own timeout has to cover an apt-get. As
// root they are installed where missing; otherwise the run stops with the one command to run.
// The check itself lives in dev/ so the dev servers can use it too.
import { ensureDebianPackages } from '../../dev/mail/system-packages.js';

export { ensureDebianPackages };

export default async function setup() {
  await ensureDebianPackages('dovecot', ['dovecot-imapd', 'dovecot-lmtpd']);
  await ensureDebianPackages('chromium', ['chromium']);
}
