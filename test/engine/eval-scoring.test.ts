import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { aggregateScores, countOf, formatEvalTable, labelIn, scoreAnswer } from '../../src/engine/eval/scoring';
import type { EvalTruth } from '../../src/engine/eval/scoring';

const CASES: Array<[string, EvalTruth, string]> = [
  ['refer', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'The red star is at [0.105, 0.2, 0.31, 0.41].'],
  ['refer', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'The red star is at [0.5, 0.5, 0.6, 0.6].'],
  ['refer', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'I do not know.'],
  ['spatial', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'The red star left of the cyan one is at [0.1,0.2,0.3,0.4].'],
  ['describe', { boxes: [[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.9, 0.9]], labels: ['red star', 'blue circle'] },
    'There are 2 shapes: a red star [0.1, 0.1, 0.2, 0.2] and a blue circle [0.0, 0.0, 0.05, 0.05].'],
  ['region', { label: 'blue circle' }, 'It is a blue circle.'],
  ['region', { label: 'blue circle' }, 'It is a blue star.'],
  ['count', { count: 2, boxes: [] }, 'There are 2 stars: [0.1, 0.1, 0.2, 0.2] and [0.3, 0.3, 0.4, 0.4].'],
  ['count', { count: 0, boxes: [] }, 'There are no crosses.'],
  ['count', { count: 1, boxes: [] }, 'There are 3 crosses.'],
  ['attribute', { label: 'green heart', what: 'colour' }, 'The heart is green.'],
  ['attribute', { label: 'green heart', what: 'kind' }, 'It is a star.'],
  ['yesno', { yes: true, box: [0.1, 0.1, 0.2, 0.2], label: 'red star' }, 'Yes, there is a red star at [0.1, 0.1, 0.2, 0.2].'],
  ['yesno', { yes: true, box: [0.1, 0.1, 0.2, 0.2], label: 'red star' }, 'Yes, there is a red star at [0.7, 0.7, 0.9, 0.9].'],
  ['yesno', { yes: false }, 'No, there is no white hexagon.'],
  ['follow', { label: 'pink cross', what: 'colour' }, 'It is pink.'],
  ['follow', { label: 'pink cross', what: 'relation', box: [0.1, 0.1, 0.3, 0.3] }, 'The pink cross is at [0.1, 0.1, 0.3, 0.3].'],
  ['when', { span: [0.2, 0.6], label: 'red star' }, 'The red star is visible during {0.25, 0.60}.'],
  ['when', { span: [0.2, 0.6], label: 'red star' }, 'The red star is visible during {0.50,0.9}.'],
  ['vregion', { label: 'gray circle' }, 'The circle turns gray.'],
  ['vdescribe', { spans: [[0.1, 0.4], [0.5, 0.9]], labels: ['red star', 'blue circle'] },
    'A red star stays still during {0.10, 0.40}. A blue circle moves left during {0.05, 0.10}.'],
  // IoU exactly at the threshold: 0.40 / 0.80 is 0.5 in one formula and 0.49999999999999994 in another
  ['when', { span: [0.18, 0.58], label: 'cyan square' }, 'The cyan square is visible during {0.16, 0.96}.'],
  ['vdescribe', { spans: [[0.06, 0.51], [0.18, 0.58]], labels: ['yellow circle', 'cyan square'] },
    'A white square moves left during {0.04, 0.89}. A white square moves left during {0.16, 0.96}. A white square moves left during {0.19, 0.58}.'],
  // sound: the source named, the box of the source, the span in which it is heard
  ['sound_source', { label: 'red star' }, 'It is the sound of a red star.'],
  ['sound_source', { label: 'red star' }, 'It is the sound of a red heart.'],
  ['sound_locate', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'The sound comes from the red star at [0.11, 0.2, 0.3, 0.41].'],
  ['sound_locate', { box: [0.1, 0.2, 0.3, 0.4], label: 'red star' }, 'The sound comes from the blue circle at [0.6, 0.6, 0.9, 0.9].'],
  ['sound_span', { span: [0.2, 0.6], label: 'red star' }, 'The red star is heard during {0.24, 0.60}.'],
  ['sound_span', { span: [0.2, 0.6], label: 'red star' }, 'I hear nothing.'],
];

/** Which rows' questions were seen templates (the rest held out), for the side-by-side table. */
const MARKS = CASES.map((_, i) => (i % 3 === 0 ? 'held-out' : 'seen') as 'seen' | 'held-out');

describe('held-out scoring (same rules as the Python evaluation)', () => {
  it('scores what matters: IoU ≥ 0.5, the right words, the right count', () => {
    expect(scoreAnswer('refer', CASES[0]![1], CASES[0]![2])).toEqual({ refer_acc50: 1 });
    expect(scoreAnswer('refer', CASES[1]![1], CASES[1]![2])).toEqual({ refer_acc50: 0 });
    expect(scoreAnswer('describe', CASES[4]![1], CASES[4]![2])).toEqual({ describe_recall50: 0.5 });
    expect(labelIn('It is a blue star.', 'blue circle')).toBe(false);
    expect(countOf('There are no crosses.')).toBe(0);
    expect(countOf('There is 1 star: [..]')).toBe(1);
    const when = scoreAnswer('when', CASES[17]![1], CASES[17]![2]);
    expect(when.video_r1_50).toBe(1);
    expect(when.video_miou).toBeCloseTo(0.875, 3);
  });

  it('counts an IoU that ties the threshold whatever the float rounding (a seen 1.7-point gap with Python)', () => {
    expect(scoreAnswer('when', CASES[21]![1], CASES[21]![2]).video_r1_50).toBe(1);
    expect(scoreAnswer('vdescribe', CASES[22]![1], CASES[22]![2])).toEqual({ vdescribe_recall50: 1 });
  });

  it('agrees with models/lego-tiny/recipe/metrics.py on every case', () => {
    const recipe = join(__dirname, '..', '..', 'models', 'lego-tiny', 'recipe');
    if (!existsSync('/usr/bin/python3')) {
      throw new Error('/usr/bin/python3 is missing: the comparison needs it (apt-get install -y python3, or bash scripts/system-packages.sh)');
    }
    const script = [
      'import json, sys',
      'import metrics',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([metrics.score(t, truth, a) for t, truth, a in cases]))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script], { cwd: recipe, input: JSON.stringify(CASES) }).toString();
    const python = JSON.parse(out) as Record<string, number>[];
    CASES.forEach(([task, truth, answer], i) => {
      const ts = scoreAnswer(task, truth, answer);
      for (const [k, v] of Object.entries(python[i]!)) expect([task, answer, k, ts[k]]).toEqual([task, answer, k, expect.closeTo(v, 6)]);
    });
  });

  it('scores the sound tasks', () => {
    const at = (i: number) => scoreAnswer(CASES[i]![0], CASES[i]![1], CASES[i]![2]);
    const first = CASES.findIndex(([task]) => task === 'sound_source');
    expect([at(first), at(first + 1)]).toEqual([{ sound_source_acc: 1 }, { sound_source_acc: 0 }]);
    expect([at(first + 2), at(first + 3)]).toEqual([{ sound_locate_acc50: 1 }, { sound_locate_acc50: 0 }]);
    expect(at(first + 4)).toMatchObject({ sound_span_r1_50: 1 });
    expect(at(first + 5)).toEqual({ sound_span_r1_50: 0, sound_span_miou: 0 });
  });

  it('prints every task on seen and held-out templates side by side, exactly as metrics.split_table does', () => {
    const recipe = join(__dirname, '..', '..', 'models', 'lego-tiny', 'recipe');
    const script = [
      'import json, sys',
      'import metrics',
      'cases, marks = json.load(sys.stdin)',
      'rows = [metrics.score(t, truth, a) for t, truth, a in cases]',
      'parts = metrics.by_template(rows, marks)',
      'counts = {m: {} for m in ("seen", "held-out")}',
      'for r, m in zip(rows, marks):',
      '    for k in r: counts[m][k] = counts[m].get(k, 0) + 1',
      'sys.stdout.write(metrics.split_table(parts, counts))',
    ].join('\n');
    const python = execFileSync('/usr/bin/python3', ['-c', script], { cwd: recipe, input: JSON.stringify([CASES, MARKS]) }).toString();
    const ts = formatEvalTable(aggregateScores(CASES.map(([t, truth, a]) => scoreAnswer(t, truth, a)), MARKS));
    expect(ts).toBe(python);
    expect(ts.split('\n')[0]).toBe('| metric | all | seen templates | held-out templates | target | n (seen/held-out) |');
    expect(ts).toMatch(/\| Sound -> source accuracy \| 50\.0 % ✗ \|/);
  });

  it('prints the same table shape as the Python evaluation', () => {
    const table = formatEvalTable(aggregateScores(CASES.map(([t, truth, a]) => scoreAnswer(t, truth, a))));
    expect(table.split('\n')[0]).toBe('| metric | value | target | n |');
    expect(table).toMatch(/\| Referring Acc@0\.5 \| 33\.3 % ✗ \| ≥ 95 % \| 3 \|/);
  });
});
