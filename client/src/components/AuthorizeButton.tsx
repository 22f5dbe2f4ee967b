// Authorize with Google: the button, "Authorized" once Google said yes, the hint while the Google window
// is open, and the problem when it said no. Reports the account to the form through onAuthorized.
import Button from '@atlaskit/button/default/button';
import { HelperMessage } from '@atlaskit/form';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import type { AuthorizationRequest, AuthorizationState } from '../authorization';
import { FIELD_IDS } from '../draft';
import { useAuthorization } from '../hooks/useAuthorization';
import { trustLink } from '../problems';
import type { Installation } from '../types';
import { ProblemMessage } from './ProblemMessage';

export const GOOGLE_NOT_CONFIGURED =
  'Authorize is not available yet: this Mailbridge server has no Google OAuth client. The server operator must set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.';

/** Shown while the Google window is open. */
export function WaitingForGoogle({ trustPageUrl }: { trustPageUrl: string }) {
  const link = trustLink(trustPageUrl);
  return (
    <SectionMessage
      appearance="information"
      title="Waiting for Google"
      actions={
        <SectionMessageAction href={link.url} target="_blank">
          {link.text}
        </SectionMessageAction>
      }
    >
      <div className="section-message-text" role="status">
        <p>Select the mailbox’s Google account in the Google window and allow access. Then close that window and come back here.</p>
        <p>If Google says "Access blocked" or admin_policy_enforced, your Google Workspace admin must trust Mailbridge first.</p>
      </div>
    </SectionMessage>
  );
}

/** What an attempt in progress or just failed looks like, below the button (or atop the list). */
function AuthorizationMessage({ state, trustPageUrl }: { state: AuthorizationState; trustPageUrl: string }) {
  if (state.phase === 'waiting') return <WaitingForGoogle trustPageUrl={trustPageUrl} />;
  if (state.phase === 'failed') return <ProblemMessage problem={state.problem} title="Google did not authorize Mailbridge" />;
  return null;
}

interface Props {
  google: Installation['google'];
  /** The connection has a Google account that works (from this form or saved). */
  isAuthorized: boolean;
  /** Read at the click: the typed Username and the connection being edited. */
  request: () => AuthorizationRequest;
  onAuthorized: (account: { email: string; credentialId: string }) => void;
  isDisabled?: boolean;
  /** Why the form cannot be submitted yet (e.g. not authorized). */
  error?: string | undefined;
}

export function AuthorizeButton({ google, isAuthorized, request, onAuthorized, isDisabled, error }: Props) {
  const { state, authorize } = useAuthorization(google.trustPageUrl);
  const onClick = () =>
    authorize(request(), (done) => {
      if (done.phase === 'authorized') onAuthorized({ email: done.email, credentialId: done.credentialId });
    });
  const describedBy = !google.configured ? 'authorize-unavailable' : error ? 'authorize-error' : undefined;
  return (
    <div className="field">
      <div className="authorize">
        <Button id={FIELD_IDS.authorize} onClick={onClick} isDisabled={isDisabled || !google.configured} aria-describedby={describedBy}>
          Authorize
        </Button>
        {isAuthorized && state.phase !== 'waiting' && state.phase !== 'failed' ? <Lozenge appearance="success">Authorized</Lozenge> : null}
      </div>
      {!google.configured ? (
        <div id="authorize-unavailable">
          <HelperMessage>{GOOGLE_NOT_CONFIGURED}</HelperMessage>
        </div>
      ) : null}
      {error && state.phase === 'idle' ? (
        <div id="authorize-error" className="authorize-message">
          <SectionMessage appearance="warning">
            <div className="section-message-text">
              <p>{error}</p>
            </div>
          </SectionMessage>
        </div>
      ) : null}
      {state.phase === 'waiting' || state.phase === 'failed' ? (
        <div className="authorize-message">
          <AuthorizationMessage state={state} trustPageUrl={google.trustPageUrl} />
        </div>
      ) : null}
    </div>
  );
}
