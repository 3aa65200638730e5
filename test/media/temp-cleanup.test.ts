/**
 * Issue 19, fault 9: a temporary input.mp4 was left behind after kill -9. Media temp folders are
 * named after their process (lego-media-<pid>-…), and a start removes those whose process is gone —
 * only ours: other files, other prefixes and live processes' folders stay.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { removeStaleTempDirs, withTempDir } from '../../src/media/temp-workspace';
import { startMain } from '../../src/main';
import { FakeEngine } from '../helpers/fake-engine';

const root = resolve(__dirname, '../..');

/** A real child writes input.mp4 into its temp folder and is killed with SIGKILL; resolves with the folder. */
async function killedMidVideo(base: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/temp-holder.ts', base], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = await new Promise<string>((ok, fail) => {
    child.stdout!.on('data', (data: Buffer) => ok(data.toString().trim()));
    child.once('exit', (code) => fail(new Error(`temp holder exited with ${String(code)}`)));
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGKILL');
  await exited;
  return dir;
}

describe('media temp folders after kill -9', () => {
  it('the folder of a killed process is left behind, and the next start removes only such folders', async () => {
    const base = mkdtempSync(join(tmpdir(), 'lego-temp-test-'));
    const dead = await killedMidVideo(base);
    expect(existsSync(join(dead, 'input.mp4'))).toBe(true);
    // others that must stay: a live process's folder (ours), other prefixes, an older unnamed folder
    mkdirSync(join(base, `lego-media-${process.pid}-abcdef`));
    mkdirSync(join(base, 'lego-media-1-notours'));
    mkdirSync(join(base, 'someone-else-123'));
    writeFileSync(join(base, 'lego-media-999999-abcdef'), 'named like ours, of a dead pid: removed too');
    const removed = await removeStaleTempDirs(base, (pid) => pid === process.pid);
    expect(removed).toContain(dead);
    expect(existsSync(dead)).toBe(false);
    expect(readdirSync(base).sort()).toEqual([`lego-media-${process.pid}-abcdef`, 'lego-media-1-notours', 'someone-else-123'].sort());
  }, 60_000);

  it('withTempDir names its folder after this process and removes it afterwards', async () => {
    const base = mkdtempSync(join(tmpdir(), 'lego-temp-test-'));
    const seen = await withTempDir(base, async (dir) => dir);
    expect(seen).toMatch(new RegExp(`/lego-media-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(existsSync(seen)).toBe(false);
  });

  it('the main job removes them at start', async () => {
    const base = mkdtempSync(join(tmpdir(), 'lego-temp-test-'));
    const dead = await killedMidVideo(base);
    const job = await startMain({
      env: { LEGO_WEB_PORT: '0', LEGO_MEDIA_TEMP_DIR: base },
      engine: new FakeEngine({}),
      print: () => undefined,
      logDestination: { write: () => undefined } as unknown as Writable,
    });
    await job.stop();
    expect(existsSync(dead)).toBe(false);
  }, 60_000);
});
