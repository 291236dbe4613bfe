/** Splits an image reference (`registry:5000/team/app:1.2@sha256:…`) into name, tag and digest. */
export function imageParts(image: string): { name: string; tag: string | null; digest: string | null } | null {
  if (!image || image === 'scratch' || image.includes('$')) return null; // variables: decided at build time
  const at = image.indexOf('@');
  const digest = at === -1 ? null : image.slice(at + 1);
  const rest = at === -1 ? image : image.slice(0, at);
  // A tag is after the last colon that comes after the last slash (a registry port is before it).
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const tag = colon > slash ? rest.slice(colon + 1) : null;
  const name = colon > slash ? rest.slice(0, colon) : rest;
  return { name, tag: tag || null, digest };
}
