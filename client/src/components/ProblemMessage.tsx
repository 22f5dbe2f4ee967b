// An explanation from the server (or the page): what happened, what to do, and where to read more.
import SectionMessage, { SectionMessageAction, type Appearance } from '@atlaskit/section-message';
import type { Explanation } from '../types';

interface Props {
  problem: Explanation;
  title?: string;
  appearance?: Appearance;
}

export function ProblemMessage({ problem, title, appearance = 'error' }: Props) {
  const actions = problem.link ? (
    <SectionMessageAction href={problem.link.url} target="_blank">
      {problem.link.text}
    </SectionMessageAction>
  ) : undefined;
  const body = (
    <div className="section-message-text">
      <p>{problem.message}</p>
      {problem.action ? <p>{problem.action}</p> : null}
    </div>
  );
  return title ? (
    <SectionMessage appearance={appearance} title={title} actions={actions}>
      {body}
    </SectionMessage>
  ) : (
    <SectionMessage appearance={appearance} actions={actions}>
      {body}
    </SectionMessage>
  );
}
