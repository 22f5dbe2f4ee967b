// The words mail clients use, in many languages, when they quote, forward or sign a message. Kept
// apart from the trimming algorithm so that a new client or language is one line here.

/** Verbs of the line that introduces a quote: "On <date>, <name> wrote:", "Am <date> schrieb <name>:". */
const ATTRIBUTION_VERBS = [
  'wrote', 'writes', 'schrieb', 'geschrieben', 'schreef', 'geschreven', 'écrit', 'escribió', 'escreveu', 'scritto',
  'scrisse', 'skrev', 'skrivit', 'kirjoitti', 'napisał', 'napisała', 'napsal', 'napsala', 'napísal', 'написал',
  'написала', 'написав', 'пишет', 'пише', 'írta', 'yazdı', 'scris', 'έγραψε', '写道', '寫道', '작성',
];

/** First words of an attribution that starts with its date: "On", "Le", "Am", "El", "Den", ... */
const ATTRIBUTION_LEADS = [
  'on', 'at', 'le', 'am', 'el', 'em', 'op', 'il', 'den', 'dnia', 'w dniu', 'dne', 'dňa', 'no dia', 'às', 'pe',
  'в', 'у', '在', '於',
];

/** The field names that open a block of quoted headers (Outlook's "From: ... Sent: ..."). */
const FROM_LABELS = [
  'from', 'von', 'de', 'da', 'van', 'från', 'fra', 'od', 'от', 'від', 'feladó', 'lähettäjä', 'kimden', 'afsender',
  '发件人', '寄件者', '差出人', '보낸 사람',
];

/** Words of a "-----Original Message-----" or "---------- Forwarded message ---------" line. */
const SEPARATOR_WORDS = [
  'message', 'nachricht', 'mensaje', 'messaggio', 'mensagem', 'bericht', 'meddelande', 'melding', 'meddelelse',
  'wiadomość', 'wiadomosc', 'сообщение', 'повідомлення', 'viesti', 'üzenet', 'zpráva', 'ileti', 'mesaj', '邮件',
];

/** Apple Mail's line above a forwarded message. */
const FORWARD_INTROS = [
  'begin forwarded message', 'anfang der weitergeleiteten nachricht', 'début du message réexpédié',
  'inicio del mensaje reenviado', 'messaggio inoltrato', 'início da mensagem reencaminhada', 'doorgestuurd bericht',
];

const WORD_EDGE_BEFORE = '(?<![\\p{L}\\p{M}])';
const WORD_EDGE_AFTER = '(?![\\p{L}\\p{M}])';

function anyWord(words: readonly string[]): string {
  return `${WORD_EDGE_BEFORE}(?:${words.map(escape).join('|')})${WORD_EDGE_AFTER}`;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const ATTRIBUTION_VERB = new RegExp(anyWord(ATTRIBUTION_VERBS), 'iu');
export const ATTRIBUTION_LEAD = new RegExp(`^(?:${ATTRIBUTION_LEADS.map(escape).join('|')})\\s`, 'iu');
export const SEPARATOR_WORD = new RegExp(anyWord(SEPARATOR_WORDS), 'iu');
export const FORWARD_INTRO = new RegExp(`^(?:${FORWARD_INTROS.map(escape).join('|')})\\s*:?$`, 'iu');
/** "From:", "*From:*", "**Von:**", "发件人：": a header field name, bold or not. */
export const HEADER_LABEL = /^\s*[*_]{0,2}([\p{L}][\p{L}\p{M} .'-]{0,30}?)[*_]{0,2}\s?[:：][*_]{0,2}(?:\s|$)/u;
export const FROM_LABEL = new RegExp(`^(?:${FROM_LABELS.map(escape).join('|')})$`, 'iu');

/**
 * One line of a phone's or app's automatic signature. The leading verb is what they share across
 * clients ("Sent from my iPhone", "Envoyé depuis mon iPhone", "Sendt fra min iPad", "Sent with
 * Airmail", "Von meinem iPhone gesendet", "Get Outlook for iOS").
 */
export const DEVICE_SIGNATURES = [
  /^(?:sent|envoyé|enviado|inviato|verzonden|sendt|skickat|gesendet|wysłano|wysłane|odesláno|отправлено|надіслано)\s+(?:from|with|via|using|on|depuis|avec|desde|con|da|dal|met|vanaf|fra|från|von|mit|z|ze|с|из|з)(?![\p{L}])/iu,
  /^(?:get|download)\s+\[?outlook\s+for(?![\p{L}])/iu,
  /(?<![\p{L}])von meinem(?![\p{L}]).*gesendet\.?$/iu,
  /^from my\s+(?:iphone|ipad|ipod|android|phone|mobile|smartphone|samsung|galaxy|blackberry|pixel|device|tablet)/iu,
  /^(?:发自|寄自|来自|從)我的/u,
];
