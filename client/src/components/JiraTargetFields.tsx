// Where a Message Source creates its issues: a Project of the tenant's Jira, and one of its issue types
// (reloaded whenever the project changes).
import { listIssueTypes, listProjects } from '../api';
import { FIELD_IDS } from '../draft';
import { useAsync } from '../hooks/useAsync';
import { problemOf } from '../problems';
import { SelectField } from './SelectField';

interface Props {
  projectId: string | null;
  issueTypeId: string | null;
  onChange: (next: { projectId: string | null; issueTypeId: string | null }) => void;
  errors: { projectId?: string | undefined; issueTypeId?: string | undefined };
  isDisabled?: boolean;
}

const loadError = (what: string, err: unknown) => `Could not load the ${what} from Jira: ${problemOf(err).message}`;

export function JiraTargetFields({ projectId, issueTypeId, onChange, errors, isDisabled }: Props) {
  const projects = useAsync(listProjects, 'projects');
  const issueTypes = useAsync(projectId ? () => listIssueTypes(projectId) : null, projectId ?? '');

  const projectChoices = (projects.data ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.key})` }));
  const issueTypeChoices = (issueTypes.data ?? []).map((t) => ({ value: t.id, label: t.name }));

  return (
    <>
      <SelectField
        id={FIELD_IDS.projectId}
        label="Project"
        choices={projectChoices}
        value={projectId}
        onChange={(next) => onChange({ projectId: next, issueTypeId: next === projectId ? issueTypeId : null })}
        isLoading={projects.loading}
        isDisabled={isDisabled}
        placeholder={projects.loading ? 'Loading projects…' : 'Choose a project'}
        noOptionsMessage="No projects found"
        helper={projects.error ? undefined : 'New mail becomes an issue in this project.'}
        error={errors.projectId ?? (projects.error ? loadError('projects', projects.error) : undefined)}
      />
      <SelectField
        id={FIELD_IDS.issueTypeId}
        label="Issue type"
        choices={issueTypeChoices}
        value={issueTypeId}
        onChange={(next) => onChange({ projectId, issueTypeId: next })}
        isLoading={issueTypes.loading}
        isDisabled={isDisabled || !projectId}
        placeholder={!projectId ? 'Choose a project first' : issueTypes.loading ? 'Loading issue types…' : 'Choose an issue type'}
        noOptionsMessage="This project has no issue types Mailbridge can create"
        error={errors.issueTypeId ?? (issueTypes.error ? loadError('issue types', issueTypes.error) : undefined)}
      />
    </>
  );
}
