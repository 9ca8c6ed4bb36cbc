/**
 * A link in a mail whose text reads like one address and whose target is another ("https://bank.com"
 * leading to evil.example) is the oldest phishing trick; the window says so before opening it.
 */

/** The host a link's visible text shows, when the text reads as an address at all. */
export function shownHost(text: string): string | undefined {
  const candidate = text.trim().replace(/^<|>$/g, '');
  if (candidate === '' || /\s/.test(candidate)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(candidate) ? candidate : /^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(\/|$|:)/i.test(candidate) ? `http://${candidate}` : undefined;
  if (withScheme === undefined) return undefined;
  try {
    return new URL(withScheme).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameSite(a: string, b: string): boolean {
  const strip = (host: string) => host.replace(/^www\./, '');
  return strip(a) === strip(b);
}

/** Set when the text shows one host and the link goes to another: both, for the warning. */
export function linkMismatch(text: string, href: string): { shown: string; target: string } | undefined {
  const shown = shownHost(text);
  if (shown === undefined) return undefined;
  let target: string;
  try {
    target = new URL(href).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (new URL(href).protocol === 'mailto:') return undefined;
  return sameSite(shown, target) ? undefined : { shown, target };
}

/** The links a mail may open outside the app. */
export function opensOutside(href: string): boolean {
  return /^(https?:|mailto:)/i.test(href);
}
