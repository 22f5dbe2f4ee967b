// What a Message Source may be told to do with a mail once it is an issue or a comment, checked
// where it is saved: the watcher refuses a MOVE without a folder, or into the folder it watches
// (the mail would come back with a new UID and be offered forever), so such a setting never gets
// as far as the watcher.
import { AppError } from '../errors.js';

export interface Processing {
  folder: string;
  afterProcessing: 'LEAVE' | 'MARK_READ' | 'MOVE';
  moveToFolder: string | null;
}

/** The problems of the settings, by field; empty when they are fine. */
export function processingProblems(p: Processing): Record<string, string> {
  if (p.afterProcessing !== 'MOVE') return {};
  if (!p.moveToFolder?.trim()) return { moveToFolder: 'Enter the folder or Gmail label to move each mail to.' };
  const same = p.moveToFolder === p.folder || (p.moveToFolder.toUpperCase() === 'INBOX' && p.folder.toUpperCase() === 'INBOX');
  return same ? { moveToFolder: `Mail cannot be moved to "${p.folder}", the folder being read: choose another folder or label.` } : {};
}

export function assertProcessing(p: Processing): void {
  const fields = processingProblems(p);
  const first = Object.values(fields)[0];
  if (first) throw new AppError('INVALID_INPUT', first, 400, { fields });
}
