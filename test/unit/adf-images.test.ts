// Inline-image placeholders: found, and replaced by media once the pipeline knows the media ids.
import { describe, expect, it } from 'vitest';
import { htmlToAdf, imagePlaceholders, replaceImagePlaceholders, type AdfDoc } from '../../src/ingest/adf/index.js';
import { adfText, assertValidAdf } from '../helpers/adf-schema.js';

const inlineImages = new Map([
  ['chart@x', { filename: 'chart.png', attachmentId: '10001' }],
  ['photo@x', { filename: 'photo.jpg' }],
]);

function withImages(html: string): AdfDoc {
  const doc = htmlToAdf(html, { inlineImages });
  assertValidAdf(doc);
  return doc;
}

describe('image placeholders', () => {
  it('lists the inline images a document shows, in order', () => {
    const doc = withImages('<p><img src="cid:chart@x"></p><ul><li>x<img src="cid:photo@x"></li></ul><table><tr><td><img src="cid:other"></td><td>b</td></tr></table>');
    expect(imagePlaceholders(doc)).toEqual([{ cid: 'chart@x', attachmentId: '10001' }, { cid: 'photo@x' }, { cid: 'other' }]);
  });

  it('become media where the media id is known and plain text where not', () => {
    const doc = withImages('<p>See<img src="cid:chart@x"><img src="cid:photo@x"></p>');
    const replaced = replaceImagePlaceholders(doc, (image) =>
      image.attachmentId === '10001' ? { id: '6e7c7f2c-dd7a-499c-bceb-6f32bfbf30b5', collection: '', alt: 'chart.png' } : undefined,
    );
    assertValidAdf(replaced);
    expect(replaced.content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'See' }] },
      {
        type: 'mediaSingle',
        attrs: { layout: 'center' },
        content: [{ type: 'media', attrs: { type: 'file', id: '6e7c7f2c-dd7a-499c-bceb-6f32bfbf30b5', collection: '', alt: 'chart.png' } }],
      },
      { type: 'paragraph', content: [{ type: 'text', text: '[image: photo.jpg]' }] },
    ]);
    expect(JSON.stringify(replaced)).not.toContain('mailbridge-image');
  });

  it('keep a list item starting with a paragraph when its image becomes media', () => {
    const doc = withImages('<ul><li><img src="cid:chart@x"></li></ul><blockquote><img src="cid:chart@x"></blockquote><table><tr><td><img src="cid:chart@x"></td><td>b</td></tr></table>');
    const replaced = replaceImagePlaceholders(doc, () => ({ id: 'f0d7b3a2-1111-4222-8333-944445555666', collection: 'jira-10000' }));
    assertValidAdf(replaced);
    const json = JSON.stringify(replaced);
    expect(json.match(/"mediaSingle"/g)).toHaveLength(3);
    expect(json).toContain('{"type":"listItem","content":[{"type":"paragraph","content":[]},{"type":"mediaSingle"');
    expect(adfText(replaced)).not.toContain('[image:');
  });
});
