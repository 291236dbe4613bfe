/** How to apply an upgrade, in the words of the tool that owns the file. */
import type { Dependency } from '../../python/types.js';

export function upgradeHow(dep: Dependency, name: string, version: string): string {
  switch (dep.file.split('/').pop()) {
    case 'poetry.lock':
      return `run \`poetry update ${name}\` (raise the constraint in pyproject.toml first if it excludes ${version})`;
    case 'uv.lock':
      return `run \`uv lock --upgrade-package ${name}==${version}\``;
    case 'pdm.lock':
      return `run \`pdm update ${name}\``;
    case 'Pipfile.lock':
      return `run \`pipenv upgrade ${name}==${version}\``;
  }
  if (dep.kind === 'locked') return `update the lockfile ${dep.file}`;
  if (dep.file.endsWith('.in')) return `change the requirement in ${dep.file}:${dep.line} and recompile`;
  return `set \`${name}==${version}\` in ${dep.file}${dep.line ? `:${dep.line}` : ''}`;
}
