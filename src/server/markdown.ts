// User text inside the Markdown the server sends (hovers): a CSV cell quoted in a probe
// failure, a path. Escaped so that it shows as written and cannot become a link, an
// image (fetched when the hover renders), HTML or formatting.

const MARKDOWN = /[\\`*_{}[\]()#+\-.!|<>~&:"']/g;

/** The text with every Markdown and HTML metacharacter backslash-escaped, on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(MARKDOWN, '\\$&');
}
