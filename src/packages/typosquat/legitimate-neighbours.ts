/**
 * Real projects whose names happen to be one typo away from a popular name: reviewed by hand, each
 * with why it is a project in its own right. The check never flags a name as a squat of the
 * neighbour listed beside it (only that one: a name resembling some other popular project is still
 * checked against it). Release history vouches for most such projects online (popularity.ts:
 * `popularityFromHistory`); this list is for those it cannot vouch for (younger than five years, as
 * psycopg 3) and for the offline check, which has no history at all.
 *
 * Add a pair only for a project with a long public record (maintainers, documentation, downloads),
 * never because one audit flagged it: that is what ignores are for.
 */
export interface LegitimateNeighbour {
  /** The project that is flagged without this entry (PEP 503 normalised). */
  name: string;
  /** The popular name it resembles (PEP 503 normalised). */
  neighbour: string;
  /** One line: why it is not a squat. */
  reason: string;
}

export const LEGITIMATE_NEIGHBOURS: readonly LegitimateNeighbour[] = [
  { name: 'psycopg', neighbour: 'psycopg2', reason: 'psycopg 3, the successor of psycopg2 by the same maintainers (psycopg.org)' },
  { name: 'psycopg-binary', neighbour: 'psycopg2-binary', reason: 'the precompiled build of psycopg 3 (`psycopg[binary]`), by the psycopg maintainers' },
  { name: 'pyaml', neighbour: 'pyyaml', reason: 'a long-maintained pretty-printer built on PyYAML (mk-fg/pretty-yaml), a project of its own' },
  { name: 'boto', neighbour: 'boto3', reason: 'boto 2, the AWS SDK for Python that boto3 replaced, released for over a decade' },
  { name: 'pycryptodomex', neighbour: 'pycryptodome', reason: 'PyCryptodome itself by the same maintainer, installed as the Cryptodome package so it can sit beside the old PyCrypto' },
];
