/**
 * Whether a `user[:group]` setting (Dockerfile USER, compose `user:`) names root. Only the user part
 * decides: `0:1000` and `root:app` run as root, `app:root` and `1000:0` run as a non-root user (in
 * the root group, which grants no root privilege by itself).
 */
export function isRootUser(value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const spec = String(value).trim();
  const colon = spec.indexOf(':');
  const user = colon === -1 ? spec : spec.slice(0, colon);
  return user === 'root' || /^0+$/.test(user);
}
