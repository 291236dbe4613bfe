/** Every report format turns one audit result into text; the CLI picks one by flag. */
import type { AuditResult } from '../audit/audit.js';
import type { Dependency } from '../python/types.js';
import type { LockedManifest } from '../python/formats/lock-graph.js';
import type { SarifCommand } from './sarif-limits.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'sarif' | 'cyclonedx';

export interface ReportOptions {
  /** Base URL to link files and lines (a GitHub blob URL at the audited commit), when known. */
  fileUrl?: (file: string, line: number | null) => string | null;
  /** Show ignored findings too (text and markdown list them apart). */
  showIgnored?: boolean;
  /**
   * SARIF, for a directory audit: where its paths (relative to the audited folder) start. `uri` is the
   * file:// URI, ending in `/`, of the git work tree holding the folder (or of the folder when none
   * does); `prefix` the way from there to the folder (`''`, or segments each ending in `/`), put before
   * each path. Computed by the CLI: the audit itself knows nothing of where the tree lies.
   */
  sourceRoot?: { uri: string; prefix: string };
  /** SARIF: the command whose `--json` lists what the SARIF leaves out (sarif-limits.ts). Default `audit`. */
  sarifCommand?: SarifCommand;
  /**
   * CycloneDX (required there): the dependencies the audit read, whose components the BOM lists (the
   * result keeps only their count), the project they belong to, and when the BOM was made. Given by the CLI.
   */
  bom?: { dependencies: readonly Dependency[]; manifests?: readonly LockedManifest[]; project: { name: string; version?: string }; now: Date };
}

export type Renderer = (result: AuditResult, options: ReportOptions) => string;

/**
 * A report as the CLI writes it: its text in pieces, and what it left out of the result to fit where
 * it goes, one sentence each (the SARIF's cut to GitHub's limits; nothing for the other formats).
 * The CLI says each as PARTIAL and does not pass: the report is not the whole result.
 */
export interface RenderedReport {
  chunks: Iterable<string>;
  leftOut: readonly string[];
}

/** A renderer whose output is written piece by piece (reports that can be tens of megabytes). */
export type ChunkedRenderer = (result: AuditResult, options: ReportOptions) => Iterable<string>;
