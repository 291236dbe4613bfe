/** FROM an image without a tag or digest: whatever the registry serves today. */
import type { DockerfileRule } from '../rule.js';
import { imageParts } from '../image-ref.js';

export const rule: DockerfileRule = {
  info: {
    id: 'docker-unpinned-base-image',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'Base image without a tag or digest',
    help: 'FROM without a tag means :latest: every build can get a different base image, with different packages and vulnerabilities, and a compromised or mistaken push reaches you at once. Pin a version tag, ideally with its digest (python:3.12-slim@sha256:…).',
  },
  check(df, report) {
    const stageNames = new Set(df.stages.map((s) => s.name).filter((n): n is string => n !== null));
    for (const stage of df.stages) {
      const ref = imageParts(stage.image);
      if (!ref || stageNames.has(stage.image.toLowerCase()) || ref.tag !== null || ref.digest !== null) continue;
      report({
        line: stage.from.line,
        column: stage.from.column,
        message: `FROM ${ref.name} has no tag or digest, so each build takes whatever the registry serves as latest at that moment.`,
        fix: `Pin a version, ideally with its digest: FROM ${ref.name}:<version>@sha256:<digest>.`,
      });
    }
  },
};
