/** FROM image:latest: a moving target. */
import type { DockerfileRule } from '../rule.js';
import { imageParts } from '../image-ref.js';

export const rule: DockerfileRule = {
  info: {
    id: 'docker-latest-tag',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'Base image tagged :latest',
    help: ':latest moves with every push: builds are not reproducible and an unreviewed base image reaches production. Pin a version tag, ideally with its digest.',
  },
  check(df, report) {
    for (const stage of df.stages) {
      const ref = imageParts(stage.image);
      if (!ref || ref.tag !== 'latest' || ref.digest !== null) continue;
      report({
        line: stage.from.line,
        column: stage.from.column,
        message: `FROM ${ref.name}:latest takes whatever was pushed last; builds differ from day to day and an unreviewed base image can reach production.`,
        fix: `Pin a version, ideally with its digest: FROM ${ref.name}:<version>@sha256:<digest>.`,
      });
    }
  },
};
