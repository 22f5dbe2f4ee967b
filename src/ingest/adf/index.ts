// Email bodies as Atlassian Document Format: the converters, the builders, the size limit and the
// inline-image placeholders, behind one import.
export * from './builders.js';
export * from './types.js';
export { strong, em, underline, strike, code, link, subsup } from './marks.js';
export { htmlToAdf, type HtmlToAdfOptions } from './html.js';
export { textToAdf } from './text.js';
export { fitToLimit, adfSize, JIRA_FIELD_LIMIT, TRUNCATION_NOTICE } from './limit.js';
export {
  imagePlaceholders,
  replaceImagePlaceholders,
  type ImagePlaceholder,
  type InlineImage,
  type InlineImages,
  type MediaRef,
} from './images.js';
