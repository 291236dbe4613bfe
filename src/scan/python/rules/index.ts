/** Every Python rule, one file each. Ids are stable: ignores and suppressions name them. */
import type { PythonRule } from '../rule.js';
import { rule as assertAccessControl } from './py-assert-access-control.js';
import { rule as bindAllInterfaces } from './py-bind-all-interfaces.js';
import { rule as chmodWorldWritable } from './py-chmod-world-writable.js';
import { rule as djangoDebug } from './py-django-debug.js';
import { rule as djangoMarkSafe } from './py-django-mark-safe.js';
import { rule as dynamicImport } from './py-dynamic-import.js';
import { rule as evalExec } from './py-eval-exec.js';
import { rule as exceptionLeak } from './py-exception-leak.js';
import { rule as flaskDebug } from './py-flask-debug.js';
import { rule as hardcodedTmpPath } from './py-hardcoded-tmp-path.js';
import { rule as httpNoTimeout } from './py-http-no-timeout.js';
import { rule as importFromPath } from './py-import-from-path.js';
import { rule as insecureTlsVersion } from './py-insecure-tls-version.js';
import { rule as jinja2Autoescape } from './py-jinja2-autoescape.js';
import { rule as loggingConfigListen } from './py-logging-config-listen.js';
import { rule as makoAutoescape } from './py-mako-autoescape.js';
import { rule as mktemp } from './py-mktemp.js';
import { rule as osSystem } from './py-os-system.js';
import { rule as paramikoExecCommand } from './py-paramiko-exec-command.js';
import { rule as paramikoHostKey } from './py-paramiko-host-key.js';
import { rule as sqlInjection } from './py-sql-injection.js';
import { rule as sslNoVerify } from './py-ssl-no-verify.js';
import { rule as subprocessShell } from './py-subprocess-shell.js';
import { rule as sysPath } from './py-sys-path-modification.js';
import { rule as tarfileExtract } from './py-tarfile-extract.js';
import { rule as tlsVerifyDisabled } from './py-tls-verify-disabled.js';
import { rule as torchLoad } from './py-torch-load.js';
import { rule as tryExceptContinue } from './py-try-except-continue.js';
import { rule as tryExceptPass } from './py-try-except-pass.js';
import { rule as unsafeDeserialization } from './py-unsafe-deserialization.js';
import { rule as weakCipher } from './py-weak-cipher.js';
import { rule as weakHash } from './py-weak-hash.js';
import { rule as weakKeySize } from './py-weak-key-size.js';
import { rule as xmlParser } from './py-xml-parser.js';
import { rule as yamlLoad } from './py-yaml-load.js';

export const PYTHON_RULES: readonly PythonRule[] = [
  dynamicImport,
  importFromPath,
  sysPath,
  evalExec,
  loggingConfigListen,
  unsafeDeserialization,
  torchLoad,
  yamlLoad,
  subprocessShell,
  osSystem,
  sqlInjection,
  xmlParser,
  httpNoTimeout,
  tlsVerifyDisabled,
  weakHash,
  weakCipher,
  weakKeySize,
  jinja2Autoescape,
  makoAutoescape,
  flaskDebug,
  djangoDebug,
  djangoMarkSafe,
  exceptionLeak,
  tryExceptPass,
  tryExceptContinue,
  mktemp,
  hardcodedTmpPath,
  assertAccessControl,
  tarfileExtract,
  sslNoVerify,
  insecureTlsVersion,
  chmodWorldWritable,
  bindAllInterfaces,
  paramikoHostKey,
  paramikoExecCommand,
];
