/**
 * URLs found in manifests can carry credentials (`https://user:token@index.example/simple`,
 * `git+https://ghp_…@github.com/…`). Every parser removes them before a URL is stored, reported or
 * logged; this is the one place that knows how.
 */

/**
 * Removes `user:password@`, and a lone user on http(s)/ftp (there it is a token), but keeps an ssh
 * user such as `git@`, which is part of the address and no secret.
 */
export function stripUrlCredentials(url: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@/.exec(url);
  if (!match) return url;
  const prefix = match[1]!;
  const userInfo = match[2]!;
  const transport = prefix.slice(0, -3).toLowerCase().split('+').pop() ?? '';
  const tokenOnly = ['http', 'https', 'ftp'].includes(transport);
  const kept = userInfo.includes(':') || tokenOnly ? '' : `${userInfo}@`;
  return prefix + kept + url.slice(match[0].length);
}
