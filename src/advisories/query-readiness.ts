/**
 * Which queries have all their records in hand, as records arrive one package at a time: lets the
 * OSV client start the next step for a query (its alias rating lookups) as soon as that query is
 * complete, instead of after the slowest package of the wave.
 */
export class QueryReadiness {
  /** Per query, how many of its ids are still missing (-1 once reported ready, or for no ids). */
  private readonly missing: number[];
  private readonly queriesOf = new Map<string, number[]>();

  constructor(idsPerQuery: readonly (readonly string[])[]) {
    this.missing = idsPerQuery.map((ids, query) => {
      const distinct = new Set(ids);
      for (const id of distinct) {
        const queries = this.queriesOf.get(id);
        if (queries === undefined) this.queriesOf.set(id, [query]);
        else queries.push(query);
      }
      // A query with no ids has nothing to wait for and nothing to rate: it is never reported.
      return distinct.size === 0 ? -1 : distinct.size;
    });
  }

  /** Marks ids as in hand (again is harmless); returns the queries this completed, in input order. */
  arrived(ids: Iterable<string>): number[] {
    const ready: number[] = [];
    for (const id of ids) {
      const queries = this.queriesOf.get(id);
      if (queries === undefined) continue;
      this.queriesOf.delete(id);
      for (const query of queries) {
        if (--this.missing[query]! === 0) {
          this.missing[query] = -1;
          ready.push(query);
        }
      }
    }
    return ready.sort((a, b) => a - b);
  }
}
