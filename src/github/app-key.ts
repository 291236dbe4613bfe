/**
 * The GitHub App's private key (GITHUB_APP_PRIVATE_KEY), checked when the settings are read: a key
 * that cannot sign would otherwise be accepted at start and fail every GitHub request later, worded
 * as GitHub not answering though GitHub was never contacted. The checks read the key with Node's
 * own parser and say what is wrong in words: they never quote the key, nor a line of it.
 */
import { createPrivateKey } from 'node:crypto';

const HOW_TO_WRITE = 'in a .env file put the whole PEM in double quotes over its lines, or on one line with \\n escapes';

/**
 * A PEM written unquoted in a .env file: Node's loader reads its first line as the value and joins
 * the following lines (base64, "-----END RSA PRIVATE KEY-----") into the name of the next setting.
 * Such names hold a line break, a space or a PEM boundary, which no setting's name does.
 */
export function pemLinesReadAsNames(env: NodeJS.ProcessEnv): boolean {
  return Object.keys(env).some((name) => /[\n\r]/.test(name) || /-----(BEGIN|END) [A-Z ]*PRIVATE KEY-----/.test(name));
}

/**
 * Why `value` (as set, `\n` escapes not yet turned into line breaks) cannot sign GitHub's sign-in
 * token, as the end of "GITHUB_APP_PRIVATE_KEY: …", or undefined when it can. `unquoted`: the
 * environment shows the PEM's other lines read as setting names (pemLinesReadAsNames).
 */
export function appKeyProblem(value: string, unquoted = false): string | undefined {
  const pem = value.replace(/\\n/g, '\n');
  if (unquoted && !/-----END [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return `only its first line was read: the key looks unquoted in the .env file (its other lines were read as setting names); ${HOW_TO_WRITE}`;
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    return `not a readable private key (the .pem file GitHub generated for the App, from -----BEGIN to -----END …-----, without a passphrase); ${HOW_TO_WRITE}`;
  }
  // GitHub signs App tokens with RS256 only.
  if (type !== 'rsa') return `a private key of type ${type ?? 'unknown'}, and GitHub Apps sign in with RSA keys: use the .pem file GitHub generated for the App`;
  return undefined;
}
