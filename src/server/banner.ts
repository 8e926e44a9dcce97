/** The last line of the start-up banner (node.ts, and primary.ts for `--workers`). */

/**
 * A first step that works as Keyway was started: through npm (`npm start`, `npx keyway`, which set
 * npm_command) the command is not on PATH, so it is `npx keyway`; installed globally it is `keyway`.
 */
export function nextStep(npmCommand: string | undefined): string {
  const cli = npmCommand === undefined || npmCommand === '' ? 'keyway' : 'npx keyway';
  return `Next: \`${cli} demo\` (in another terminal) runs a backend to route to; then README.md, "First five minutes".`;
}
