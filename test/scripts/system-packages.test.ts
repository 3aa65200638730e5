/**
 * scripts/system-packages.sh: the one list of Debian packages `npm test` and CI need. Driven here with
 * stand-ins for dpkg-query, id and apt-get on PATH (nothing is installed): it installs what is missing
 * when it can, and otherwise stops with one line that names the packages and the command.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'system-packages.sh');
const ALL = 'python3 python3-torch python3-onnx python3-numpy python3-pil libopenblas0-openmp redis-server ffmpeg chromium fonts-dejavu-core'.split(' ');

let bin: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'lego-sysp-'));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

function stub(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

/** dpkg-query that reports every package installed except `missing` */
function dpkg(missing: string[]): void {
  const lines = ALL.filter((p) => !missing.includes(p)).map((p) => `${p} ii `);
  stub('dpkg-query', `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}`);
}

function run(args: string[] = []): { code: number | null; out: string } {
  const r = spawnSync('bash', [SCRIPT, ...args], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('scripts/system-packages.sh', () => {
  it('prints the list', () => {
    expect(run(['--list']).out.trim().split(' ')).toEqual(ALL);
  });

  it('does nothing and says nothing when everything is installed', () => {
    dpkg([]);
    expect(run()).toEqual({ code: 0, out: '' });
  });

  it('not root: one line naming the missing packages and the sudo apt-get command, exit 1, nothing installed', () => {
    dpkg(['redis-server', 'chromium']);
    stub('id', 'echo 1000');
    stub('apt-get', `echo "$@" >> ${bin}/apt.log`);
    const { code, out } = run();
    expect(code).toBe(1);
    expect(out).toBe('missing Debian packages the tests need: redis-server chromium; install them with: sudo apt-get install -y --no-install-recommends redis-server chromium\n');
    expect(() => readFileSync(join(bin, 'apt.log'))).toThrow();
  });

  it('root with apt-get: installs exactly the missing packages', () => {
    dpkg(['ffmpeg']);
    stub('id', 'echo 0');
    stub('apt-get', `echo "$@" >> ${bin}/apt.log`);
    const { code, out } = run();
    expect(code).toBe(0);
    expect(out).toContain('installing Debian packages the tests need: ffmpeg');
    expect(readFileSync(join(bin, 'apt.log'), 'utf8').trim().split('\n')).toEqual(['update -qq', 'install -y -qq --no-install-recommends ffmpeg']);
  });

  it('root, but apt-get fails: its last lines, then the line with the command, exit 1', () => {
    dpkg(['python3-torch']);
    stub('id', 'echo 0');
    stub('apt-get', 'echo "E: Unable to locate package python3-torch" >&2; exit 100');
    const { code, out } = run();
    expect(code).toBe(1);
    expect(out.trim().split('\n').pop()).toMatch(/^could not install Debian packages python3-torch .*install them with: apt-get install -y --no-install-recommends python3-torch$/);
    expect(out).toContain('E: Unable to locate package');
  });

  it('--check never installs', () => {
    dpkg(['chromium']);
    stub('id', 'echo 0');
    stub('apt-get', `echo "$@" >> ${bin}/apt.log`);
    expect(run(['--check']).code).toBe(1);
    expect(() => readFileSync(join(bin, 'apt.log'))).toThrow();
  });
});
