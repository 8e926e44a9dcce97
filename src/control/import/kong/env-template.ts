/**
 * decK's environment templates: a decK file may hold `${{ env "DECK_NAME" }}` wherever a value goes (keys
 * and secrets kept out of the file, a port per environment), which decK fills in from the environment
 * before reading the YAML. Only variables named `DECK_…` are read, as decK does, so a file cannot pull
 * arbitrary variables of the shell into its output. A value is never quoted in an error.
 */
import { KeywayError } from '../../../core/errors.js';

const TEMPLATE = /\$\{\{\s*env\s+"([^"]*)"\s*\}\}/g;

export function renderEnvTemplates(file: string, text: string, env: NodeJS.ProcessEnv): string {
  const problems: { path: string; message: string }[] = [];
  const out = text.replace(TEMPLATE, (whole, name: string, offset: number) => {
    const line = text.slice(0, offset).split('\n').length;
    if (!/^DECK_[A-Za-z0-9_]+$/.test(name)) {
      problems.push({ path: `line ${line}`, message: `${name}: decK reads only variables named DECK_…` });
      return whole;
    }
    const value = env[name];
    if (value === undefined) {
      problems.push({ path: `line ${line}`, message: `environment variable ${name} is not set` });
      return whole;
    }
    return value;
  });
  if (problems.length > 0)
    throw new KeywayError(
      'KW_ERR_CONFIG_FILE',
      { file, reason: `${problems[0]?.path ?? ''}: ${problems[0]?.message ?? ''}` },
      { details: problems },
    );
  return out;
}
