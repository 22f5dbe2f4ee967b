// What an emulated Jira site holds: projects with their issue types, users (whose email Jira reveals
// only when their profile allows it), issues with comments, attachments, properties and watchers.
import { randomUUID } from 'node:crypto';

export interface IssueType {
  id: string;
  name: string;
  subtask: boolean;
  hierarchyLevel: number;
}

export interface Project {
  id: string;
  key: string;
  name: string;
  issueTypes: IssueType[];
}

export interface User {
  accountId: string;
  displayName: string;
  emailAddress: string;
  /** Jira hides emailAddress unless the user's profile shows it. */
  emailVisible: boolean;
  accountType: 'atlassian' | 'app' | 'customer';
  active: boolean;
}

export interface Comment {
  id: string;
  body: unknown;
  authorAccountId: string;
  created: Date;
  properties: Map<string, unknown>;
}

export interface Attachment {
  id: string;
  /**
   * The file's id in Atlassian's media service, a UUID: what an ADF `media` node names. Jira's REST
   * API does not return it; its download redirect (GET attachment/content) carries it in the URL.
   */
  mediaId: string;
  filename: string;
  mimeType: string;
  size: number;
  content: Buffer;
  authorAccountId: string;
  created: Date;
}

export interface Issue {
  id: string;
  key: string;
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: unknown;
  reporterAccountId: string | null;
  creatorAccountId: string;
  created: Date;
  updated: Date;
  comments: Comment[];
  attachments: Attachment[];
  properties: Map<string, unknown>;
  watchers: Set<string>;
}

export interface SeedData {
  projects: Project[];
  users: User[];
}

const TASK: IssueType = { id: '10001', name: 'Task', subtask: false, hierarchyLevel: 0 };
const BUG: IssueType = { id: '10002', name: 'Bug', subtask: false, hierarchyLevel: 0 };
const SUBTASK: IssueType = { id: '10003', name: 'Subtask', subtask: true, hierarchyLevel: -1 };

export function defaultSeed(): SeedData {
  return {
    projects: [
      { id: '10000', key: 'SUP', name: 'Support', issueTypes: [TASK, BUG, SUBTASK] },
      { id: '10010', key: 'OPS', name: 'Operations', issueTypes: [TASK] },
    ],
    users: [
      { accountId: '5b10a2844c20165700ede21g', displayName: 'Ada Admin', emailAddress: 'ada@example.com', emailVisible: true, accountType: 'atlassian', active: true },
      { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Sam Support', emailAddress: 'sam@example.com', emailVisible: true, accountType: 'atlassian', active: true },
      { accountId: '6c20ac8d82e05b22cc7d4ab1', displayName: 'Hidden Harper', emailAddress: 'harper@example.com', emailVisible: false, accountType: 'atlassian', active: true },
    ],
  };
}

export class SiteState {
  readonly projects: Project[];
  readonly users: User[];
  readonly issues: Issue[] = [];
  /** The account of the app's own bot user: the author of what the app writes. */
  readonly appAccountId = `557058:${randomUUID()}`;
  /** The media service's client id for this site, as download redirects name it. */
  readonly mediaClientId = randomUUID();
  private nextIssueId = 10001;
  private nextCommentId = 10001;
  private nextAttachmentId = 10001;
  private readonly counters = new Map<string, number>();

  constructor(
    readonly baseUrl: string,
    seed: SeedData = defaultSeed(),
    readonly searchLagMs = 0,
  ) {
    this.projects = structuredClone(seed.projects);
    this.users = structuredClone(seed.users);
    this.users.push({ accountId: this.appAccountId, displayName: 'Mailbridge', emailAddress: '', emailVisible: false, accountType: 'app', active: true });
  }

  get adminAccountId(): string {
    return this.users[0]!.accountId;
  }

  project(idOrKey: string): Project | undefined {
    return this.projects.find((p) => p.id === idOrKey || p.key === idOrKey);
  }

  user(accountId: string): User | undefined {
    return this.users.find((u) => u.accountId === accountId);
  }

  issue(idOrKey: string): Issue | undefined {
    const upper = idOrKey.toUpperCase();
    return this.issues.find((i) => i.id === idOrKey || i.key === upper);
  }

  createIssue(fields: Omit<Issue, 'id' | 'key' | 'created' | 'updated' | 'comments' | 'attachments' | 'watchers' | 'properties'>, properties: Map<string, unknown>): Issue {
    const project = this.project(fields.projectId)!;
    const n = (this.counters.get(project.id) ?? 0) + 1;
    this.counters.set(project.id, n);
    const now = new Date();
    const issue: Issue = {
      ...fields,
      id: String(this.nextIssueId++),
      key: `${project.key}-${n}`,
      created: now,
      updated: now,
      comments: [],
      attachments: [],
      properties,
      watchers: new Set(fields.reporterAccountId ? [fields.reporterAccountId] : []),
    };
    this.issues.push(issue);
    return issue;
  }

  addComment(issue: Issue, body: unknown, authorAccountId: string, properties: Map<string, unknown>): Comment {
    const comment: Comment = { id: String(this.nextCommentId++), body, authorAccountId, created: new Date(), properties };
    issue.comments.push(comment);
    issue.updated = comment.created;
    return comment;
  }

  addAttachment(issue: Issue, file: Omit<Attachment, 'id' | 'created' | 'mediaId'>): Attachment {
    const attachment: Attachment = { ...file, id: String(this.nextAttachmentId++), mediaId: randomUUID(), created: new Date() };
    issue.attachments.push(attachment);
    issue.updated = attachment.created;
    return attachment;
  }

  /** Issues the search index has caught up with. */
  searchable(now = Date.now()): Issue[] {
    return this.issues.filter((i) => now - i.created.getTime() >= this.searchLagMs);
  }
}
