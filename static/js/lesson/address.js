// "Where I checked": what a student typed as the web address it is stored as, or null. A bare
// site ("reuters.com") gets https:// in front, as a browser's address bar would. The server
// has the same rule (app/domain/annotations.py web_address); both run
// tests/data/web_address_cases.json.

const FULL = /^https?:\/\/[^\s/?#]+\.[^\s]+$/i;
const SITE = /^(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?$/i;

export function webAddress(typed) {
  const value = typed.trim();
  if (FULL.test(value)) return value;
  if (SITE.test(value)) return `https://${value}`;
  return null;
}
