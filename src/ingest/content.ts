// The words of a mail as Jira shows them: the whole body as a new issue's description, the reply
// without its quoted history and signature as a comment. HTML is converted node by node into ADF,
// never passed through; an inline image shows where it stood, as the image once its attachment's
// media file is known (a second rendering, with `media`), until then as "[image: name]"; files left out
// by the Message Source's limits are named at the end.
import {
  adfSize,
  fitToLimit,
  htmlToAdf,
  imagePlaceholders,
  JIRA_FIELD_LIMIT,
  paragraph,
  replaceImagePlaceholders,
  text,
  textToAdf,
  type AdfDoc,
  type InlineImages,
  type MediaRef,
} from './adf/index.js';
import { trimHtmlReply, trimReply } from './trim.js';
import type { InboundEmail } from '../mail/parse/inbound-email.js';

export interface SkippedFile {
  filename: string;
  size: number;
  why: 'too large' | 'too many';
}

export interface Body {
  doc: AdfDoc;
  /** The body did not fit Jira's limit and was cut: the original must then be attached. */
  truncated: boolean;
  /** The Content-IDs of the inline images the body shows, in order. */
  images: string[];
}

/** The media file of an inline image's attachment, by the image's Content-ID; undefined: not known. */
export type MediaOf = (contentId: string) => MediaRef | undefined;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function inlineImages(email: InboundEmail): InlineImages {
  return new Map(email.attachments.filter((a) => a.contentId).map((a) => [a.contentId!, { filename: a.filename }]));
}

/** A paragraph naming the files that were not attached, and why. */
export function skippedNote(skipped: SkippedFile[]): AdfDoc['content'][number] | undefined {
  if (!skipped.length) return undefined;
  const list = skipped.map((f) => `${f.filename} (${megabytes(f.size)}, ${f.why === 'too large' ? 'larger than the limit' : 'over the number of files allowed'})`).join(', ');
  return paragraph([text(`Not attached, by the Message Source's limits: ${list}.`, [{ type: 'em' }])]);
}

function finish(doc: AdfDoc, skipped: SkippedFile[], media: MediaOf): Body {
  const images = imagePlaceholders(doc).map((p) => p.cid);
  // No marker may reach Jira: images without a media id become their "[image: name]" text.
  let out = replaceImagePlaceholders(doc, (p) => media(p.cid));
  const note = skippedNote(skipped);
  if (note) out = { ...out, content: [...out.content, note] };
  const truncated = adfSize(out) > JIRA_FIELD_LIMIT;
  return { doc: truncated ? fitToLimit(out) : out, truncated, images };
}

const noMedia: MediaOf = () => undefined;

const empty = (doc: AdfDoc) => doc.content.length === 0;

function fullBody(email: InboundEmail): AdfDoc {
  const doc = email.html ? htmlToAdf(email.html, { inlineImages: inlineImages(email) }) : textToAdf(email.text ?? '');
  return empty(doc) && email.text ? textToAdf(email.text) : doc;
}

export function issueDescription(email: InboundEmail, skipped: SkippedFile[] = [], media: MediaOf = noMedia): Body {
  return finish(fullBody(email), skipped, media);
}

export function commentBody(email: InboundEmail, skipped: SkippedFile[] = [], media: MediaOf = noMedia): Body {
  const doc = email.html ? htmlToAdf(trimHtmlReply(email.html).trimmed, { inlineImages: inlineImages(email) }) : textToAdf(trimReply(email.text ?? '').trimmed);
  // A reply that was all quote still says something: then it is shown whole.
  return finish(empty(doc) ? fullBody(email) : doc, skipped, media);
}
