import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Python OAuth libraries nobody here wrote (Debian's python3-authlib, python3-requests-oauthlib,
// installed by .ci/run) drive the server from the scripts in test/clients/python/. They run with
// Debian's own Python: a python3 earlier on PATH (pyenv) may lack them, so the path is fixed.
export const PYTHON = process.env.CLIENT_PYTHON || '/usr/bin/python3';

/**
 * Why the scripts cannot run here (Python or the module is missing), or undefined when they can.
 * Outside CI a missing library skips its tests with this message; in CI (CI set) they must run,
 * and fail with it.
 */
export function pythonModuleMissing(module: string, debianPackage: string): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import ${module}, requests`], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const reason = `${PYTHON} cannot import ${module} (apt-get install -y ${debianPackage} python3-requests)`;
  if (!process.env.CI) console.warn(`SKIPPED: the ${module} interoperability tests: ${reason}`);
  return reason;
}

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON results, read field by field.
export type Results = Record<string, any>;

export interface ScriptArgs {
  issuer: string;
  clientId: string;
  /** Empty or absent for a public client. */
  secret?: string;
  scenario: string;
  redirectUri?: string;
}

/**
 * Runs one scenario of test/clients/python/<script>. When the script prints
 * {"authorization_url": ...}, `walk` plays the user (sign-in, consent) and the final redirect URL
 * goes back to the script on stdin. Resolves with the last JSON line the script printed.
 */
export function runPythonClient(
  script: string,
  args: ScriptArgs,
  walk?: (authorizationUrl: string) => Promise<string>,
): Promise<Results> {
  const path = fileURLToPath(new URL(`../clients/python/${script}`, import.meta.url));
  const argv = [path, args.issuer, args.clientId, args.secret ?? '', args.scenario];
  if (args.redirectUri) argv.push(args.redirectUri);
  const child = spawn(PYTHON, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines: Results[] = [];
  const walks: Promise<void>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const value = JSON.parse(line) as Results;
    lines.push(value);
    if (typeof value.authorization_url !== 'string') return;
    const walked = walk
      ? walk(value.authorization_url).then((location) => void child.stdin.end(`${location}\n`))
      : Promise.reject(new Error(`${script} ${args.scenario} asked for a browser walk`));
    // A failed walk ends the script; its error is reported once the script has closed.
    walked.catch(() => child.kill());
    walks.push(walked);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      Promise.all(walks)
        .then(() => {
          if (code !== 0) throw new Error(`${script} ${args.scenario} exited ${code}: ${stderr}`);
          resolve(lines.at(-1) as Results);
        })
        .catch(reject);
    });
  });
}
