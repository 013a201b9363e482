import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The production log destination (src/http/log-destination.ts) in a process of its own, writing to a
// real stdout pipe: lines of every size and alphabet come out whole, in order, and nothing gathered is
// lost at exit. (HTTP requests cannot carry such characters into an access line: Node refuses them in
// a request line, so this drives the destination directly.)

function runWriter(script: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.setEncoding('utf8');
  let stdout = '';
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('the log destination', () => {
  it('writes lines of one to four UTF-8 bytes a character, and lines longer than a block, whole and in order', async () => {
    const { code, stdout } = await runWriter(`
      import { blockedStdout } from './dist/http/log-destination.js';
      const destination = blockedStdout();
      const samples = ['plain ascii', 'Grüße aus München', 'ユーザー 認証', 'emoji 🙂 and 𝄞', 'x'.repeat(40000), 'ü'.repeat(20000)];
      // 600 lines, 8 MB: within what the destination keeps for a slow reader (16 MiB).
      for (let i = 0; i < 600; i++) {
        destination.write(JSON.stringify({ i, text: samples[i % samples.length] }) + '\\n');
      }
      // A short last line, still gathered when the script ends: it must be written at exit.
      destination.write(JSON.stringify({ i: 600, text: 'last' }) + '\\n');
    `);
    expect(code).toBe(0);
    const samples = [
      'plain ascii',
      'Grüße aus München',
      'ユーザー 認証',
      'emoji 🙂 and 𝄞',
      'x'.repeat(40000),
      'ü'.repeat(20000),
    ];
    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(601);
    lines.forEach((line, i) => {
      expect(JSON.parse(line)).toEqual({ i, text: i === 600 ? 'last' : samples[i % samples.length] });
    });
  });

  it('copies ASCII lines (the access line) as they are, among UTF-8 ones, in order, longer than a block too', async () => {
    const { code, stdout } = await runWriter(`
      import { blockedStdout } from './dist/http/log-destination.js';
      const destination = blockedStdout();
      for (let i = 0; i < 400; i++) {
        const text = i % 50 === 7 ? 'y'.repeat(70000) : i % 3 === 0 ? 'Grüße ' + i : 'plain ' + i;
        const line = JSON.stringify({ i, text }) + '\\n';
        if (i % 3 === 0) destination.write(line);
        else destination.writeAscii(line);
      }
      destination.writeAscii(JSON.stringify({ i: 400, text: 'last' }) + '\\n');
    `);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(401);
    lines.forEach((line, i) => {
      const text =
        i === 400 ? 'last' : i % 50 === 7 ? 'y'.repeat(70000) : i % 3 === 0 ? `Grüße ${i}` : `plain ${i}`;
      expect(JSON.parse(line)).toEqual({ i, text });
    });
  });
});
