import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LegoError } from '../errors';
import { resolvePackagePath } from '../package-paths';
import type { CliCommand } from './cli-command';
import type { GlobalOptions } from './cli-context';

interface EvalOptions {
  split: string;
  limit?: string;
  tasks?: string;
  out?: string;
  maxNew?: string;
  saveInputs?: string;
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    const message = `${name} takes a whole number, not ${value}`;
    throw new LegoError('bad-input', message, { userMessage: message });
  }
  return n;
}

const DEFAULT_SPLIT = 'models/lego-tiny/work/evalset';

/**
 * The default split on a fresh clone: written by the recipe (`run.sh data`, Debian's python3 and ffmpeg;
 * a few CPU-minutes, its progress on stderr), so `lego eval` works from a fresh clone as it is.
 */
async function buildDefaultSplit(split: string, io: { stderr: { write(text: string): unknown }; cwd: string }): Promise<void> {
  const script = resolvePackagePath('models/lego-tiny/recipe/run.sh', io.cwd);
  io.stderr.write(`lego eval: no held-out split in ${split} yet; writing it with ${script} data (a few minutes)\n`);
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn('bash', [script, 'data'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0 || !existsSync(join(split, 'eval.jsonl'))) {
    const message = `could not write the held-out split (models/lego-tiny/recipe/run.sh data exited with ${String(code)})`;
    throw new LegoError('engine-failed', message, { userMessage: message });
  }
}

/**
 * `lego eval`: lego-tiny's held-out split through the engine (the TypeScript side), scored with the
 * same rules as the Python evaluation; prints the same table. Progress on stderr.
 */
export const evalCommand: CliCommand = {
  name: 'eval',
  register(program, context) {
    program
      .command('eval')
      .description("run lego-tiny's held-out split through the engine and print the metric table")
      .option('--split <dir>', 'the split written by models/lego-tiny/recipe (eval.jsonl + files; the default one is written when missing)', DEFAULT_SPLIT)
      .option('--limit <n>', 'questions per task (default: all)')
      .option('--tasks <list>', 'only these tasks, comma-separated (refer,region,count,…)')
      .option('--max-new <n>', 'max new tokens per answer', '200')
      .option('--out <dir>', 'also write metrics.json, metrics.md and predictions.jsonl here')
      .option('--save-inputs <dir>', "also write each media file's prepared pixels (<file>.f32) and sound features (<file>.audio.f32) for evaluate.py --inputs")
      .action(async (options: EvalOptions, command: Command) => {
        const { io } = context;
        // loaded here, not at start: `lego --help` should not pay for the evaluation's media code
        const [{ runEval }, { formatEvalTable }] = await Promise.all([import('../engine/eval/run-eval'), import('../engine/eval/scoring')]);
        const globals = command.optsWithGlobals<GlobalOptions & EvalOptions>();
        const config = context.config(globals, { conversation: { store: { kind: 'memory' } } });
        const cli = await context.openBot(config);
        const split = resolvePackagePath(options.split, io.cwd);
        try {
          if (options.split === DEFAULT_SPLIT && !existsSync(join(split, 'eval.jsonl'))) await buildDefaultSplit(split, io);
          let last = 0;
          const limit = count(options.limit, '--limit');
          const maxNew = count(options.maxNew, '--max-new');
          const report = await runEval(cli.engine, split, {
            ...(limit === undefined ? {} : { limit }),
            ...(maxNew === undefined ? {} : { maxNewTokens: maxNew }),
            ...(options.tasks === undefined ? {} : { tasks: options.tasks.split(',').map((t) => t.trim()) }),
            ...(options.saveInputs === undefined ? {} : { saveInputs: resolve(io.cwd, options.saveInputs) }),
            onProgress: ({ done, total, elapsedMs }) => {
              if (done === total || performance.now() - last > 5000) {
                last = performance.now();
                const left = (elapsedMs / done) * (total - done);
                io.stderr.write(`lego eval: ${done}/${total}  ${(elapsedMs / 1000).toFixed(0)}s elapsed, ~${(left / 1000).toFixed(0)}s left\n`);
              }
            },
          });
          const table = formatEvalTable(report);
          io.stdout.write(`${table}\n${report.predictions.length} questions in ${report.seconds.toFixed(0)} s with ${cli.engine.name}\n`);
          const skipped = Object.entries(report.skipped);
          if (skipped.length > 0) {
            const list = skipped.map(([task, n]) => `${task} ${n}`).join(', ');
            io.stdout.write(`left out ${skipped.reduce((sum, [, n]) => sum + n, 0)} questions ${cli.engine.name} cannot take (${list})\n`);
          }
          if (options.out !== undefined) {
            const out = resolve(io.cwd, options.out);
            await mkdir(out, { recursive: true });
            const { predictions, ...summary } = report;
            await writeFile(join(out, 'metrics.json'), JSON.stringify({ ...summary, questions: predictions.length }, null, 2));
            await writeFile(join(out, 'metrics.md'), `${table}\n`);
            await writeFile(join(out, 'predictions.jsonl'), predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
          }
        } finally {
          await cli.close();
        }
      });
  },
};
