/**
 * What an advisory source yields, one item at a time: apart from import-sources.ts so the mirror
 * (which reads these) does not load the zip reader when it only answers queries.
 */

/** A decoded JSON value and where it was read from (`line 3`, `PYSEC-2021-1.json`). */
export class ImportedItem {
  constructor(
    readonly where: string,
    readonly value: unknown,
  ) {}
}

/** Something in the source that could not be decoded; the import reports it and carries on. */
export class UnreadableItem {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {}
}
