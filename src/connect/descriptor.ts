// The app descriptor Jira installs: atlassian-connect.json at the project root, with {{localBaseUrl}}
// filled in from BASE_URL.
import fs from 'node:fs';
import { DESCRIPTOR_FILE } from '../paths.js';

export type Descriptor = Record<string, unknown> & { key: string; baseUrl: string };

export function loadDescriptor(baseUrl: string): Descriptor {
  const text = fs.readFileSync(DESCRIPTOR_FILE, 'utf8');
  return JSON.parse(text.replaceAll('{{localBaseUrl}}', baseUrl)) as Descriptor;
}
