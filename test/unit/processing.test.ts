import { describe, expect, it } from 'vitest';
import { processingProblems } from '../../src/connections/processing.js';

describe('what a Message Source does with a mail once handled', () => {
  it('leaving or marking read needs nothing more', () => {
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'LEAVE', moveToFolder: null })).toEqual({});
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'MARK_READ', moveToFolder: 'INBOX' })).toEqual({});
  });

  it('moving needs a folder, and not the one being read (INBOX in any case)', () => {
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'MOVE', moveToFolder: null })).toHaveProperty('moveToFolder');
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'MOVE', moveToFolder: '  ' })).toHaveProperty('moveToFolder');
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'MOVE', moveToFolder: 'inbox' }).moveToFolder).toMatch(/folder being read/);
    expect(processingProblems({ folder: 'Support', afterProcessing: 'MOVE', moveToFolder: 'Support' }).moveToFolder).toMatch(/folder being read/);
    // Other folders compare case by case, as IMAP does.
    expect(processingProblems({ folder: 'Support', afterProcessing: 'MOVE', moveToFolder: 'support' })).toEqual({});
    expect(processingProblems({ folder: 'INBOX', afterProcessing: 'MOVE', moveToFolder: 'Mailbridge/Done' })).toEqual({});
  });
});
