import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Each server under test is a child process of its own, so its memory and CPU are its own.

export interface Server {
  name: string;
  url: string;
  pid: number;
  /** Starts a fresh peak-RSS measurement (one per case). */
  resetPeak(): void;
  /** Peak resident memory since resetPeak, in MiB. */
  peakRssMiB(): number;
  /** CPU time (user + system) the process has used, in microseconds. */
  cpuMicros(): number;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** A path that answers once the server is ready. */
  readyPath: string;
  /** Where the server's stdout (its log lines) goes; /dev/null unless a file is given. */
  logFile?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startServer(spec: ServerSpec): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, spec.args, {
    env: { ...process.env, ...spec.env, PORT: String(port) },
    stdio: ['ignore', spec.logFile ? 'pipe' : 'ignore', 'pipe'],
  });
  if (spec.logFile && child.stdout) child.stdout.pipe(createWriteStream(spec.logFile));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitUntilReady(`${url}${spec.readyPath}`, child, () => stderr);
  const pid = child.pid ?? 0;
  const sampler = new PeakSampler(pid);
  return {
    name: spec.name,
    url,
    pid,
    resetPeak: () => sampler.reset(),
    peakRssMiB: () => sampler.peak(),
    cpuMicros: () => cpuMicros(pid),
    stop: async () => {
      sampler.stop();
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`server at ${url} not ready after 60 s: ${stderr()}`);
}

/**
 * Peak RSS of one process: the kernel's high-water mark (VmHWM), reset per case through
 * /proc/<pid>/clear_refs, with polling of VmRSS as a fallback where the reset is not allowed.
 */
class PeakSampler {
  private polled = 0;
  private resetWorked = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => {
      this.polled = Math.max(this.polled, this.field('VmRSS'));
    }, 100);
    this.timer.unref();
  }

  reset(): void {
    this.polled = this.field('VmRSS');
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.resetWorked = true;
    } catch {
      this.resetWorked = false;
    }
  }

  peak(): number {
    const polled = Math.max(this.polled, this.field('VmRSS'));
    const kib = this.resetWorked ? Math.max(this.field('VmHWM'), polled) : polled;
    return Math.round(kib / 1024);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A "VmXxx:   1234 kB" line of /proc/<pid>/status, in KiB. */
  private field(name: string): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) : 0;
    } catch {
      return 0;
    }
  }
}

/** utime + stime of /proc/<pid>/stat (clock ticks of 10 ms), in microseconds. */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}
