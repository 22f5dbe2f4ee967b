// Test-side name for the Debian package check; the code lives in dev/ so the dev servers can use it too.
export { ensureDebianPackages } from '../../dev/mail/system-packages.js';
