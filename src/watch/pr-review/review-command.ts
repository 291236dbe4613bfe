/**
 * Where a pull request's whole review is listed: `depwatch review owner/repo#N` computes the review
 * the bot posts and prints all of it. Named wherever a comment or a card has to stop a list for want
 * of room, as the audit's cut replies name `depwatch audit owner/repo@sha`.
 */
export function reviewCommandOf(pr: { repo: string; number: number; compare?: { base: string; head: string } }): string {
  return pr.compare ? `depwatch review ${pr.repo} ${pr.compare.base}...${pr.compare.head}` : `depwatch review ${pr.repo}#${pr.number}`;
}
