// A compact reporter for node's test runner (`--test-reporter=./scripts/test-reporter.mjs`): one line per
// test file with its counts, every failure in full (the test's whole name, the error with its stack), the
// output of a file that died outside any test, and a summary. scripts/test.mjs also writes the full TAP to
// a file beside it, so the console stays readable and nothing is lost.
import { relative } from 'node:path';
import { inspect } from 'node:util';

const color = process.env.NO_COLOR === undefined && process.stdout.isTTY === true;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const red = (t) => paint(31, t);
const green = (t) => paint(32, t);
const yellow = (t) => paint(33, t);
const dim = (t) => paint(2, t);

/** Lines of a dead file's own output shown on the console (the TAP file has all of it). */
const OUTPUT_TAIL = 40;

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
const shortPath = (file) => (file === undefined ? '?' : relative(process.cwd(), file) || file);
const indent = (text, by = '    ') =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

function fileState(files, file) {
  let f = files.get(file);
  if (f === undefined) {
    f = { names: [], passed: 0, failed: 0, skipped: 0, todo: 0, output: [] };
    files.set(file, f);
  }
  return f;
}

/** The error as node's own spec reporter shows it: the original error (the cause), with its stack. */
function describeError(error) {
  if (error === undefined || error === null) return 'failed (no error given)';
  const cause = error.code === 'ERR_TEST_FAILURE' && error.cause !== undefined ? error.cause : error;
  if (typeof cause === 'string') return cause;
  return inspect(cause, { colors: color, depth: 6 });
}

export default async function* compactReporter(source) {
  const files = new Map();
  const failures = [];
  const total = { passed: 0, failed: 0, skipped: 0, todo: 0, files: 0 };
  const started = Date.now();
  // The runner reports a file's tests in one run, file after file, but says a file is complete as soon
  // as it is (files run two at a time): a file's line is printed when the reports move on to another file.
  let current;
  const printed = new Set();

  const fileLine = (file) => {
    const f = fileState(files, file);
    printed.add(file);
    total.files++;
    total.passed += f.passed;
    total.skipped += f.skipped;
    total.todo += f.todo;
    total.failed += f.failed + (f.crash === undefined ? 0 : 1);
    const failed = f.failed + (f.crash === undefined ? 0 : 1);
    const counts = [
      `${f.passed} passed`,
      ...(failed > 0 ? [red(`${failed} failed`)] : []),
      ...(f.skipped > 0 ? [yellow(`${f.skipped} skipped`)] : []),
      ...(f.todo > 0 ? [`${f.todo} todo`] : []),
    ];
    const mark = failed > 0 || f.passedFile === false ? red('✖') : green('✔');
    const time = f.duration === undefined ? '' : `  ${dim(seconds(f.duration))}`;
    let text = `${mark} ${shortPath(file)}  ${counts.join(', ')}${time}\n`;
    if (f.crash !== undefined) {
      // The file's process failed outside any test (a throw at load time, an exit code): its own output
      // says why.
      const output = f.output.join('').trimEnd().split('\n').slice(-OUTPUT_TAIL).join('\n');
      failures.push(`${shortPath(file)} (the file itself)`);
      text +=
        `${red(`✖ ${shortPath(file)} failed outside any test`)}\n${indent(describeError(f.crash))}\n` +
        (output === '' ? '' : `${dim('    output of the file (last lines):')}\n${indent(output)}\n`) +
        '\n';
    }
    return text;
  };
  const moveTo = (file) => {
    if (file === current) return '';
    const text = current === undefined || printed.has(current) ? '' : fileLine(current);
    current = file;
    return text;
  };

  for await (const event of source) {
    const data = event.data ?? {};
    const isFile = data.file !== undefined && data.name === data.file && data.nesting === 0;
    switch (event.type) {
      case 'test:stdout':
      case 'test:stderr': {
        if (data.file === undefined) break;
        const out = fileState(files, data.file).output;
        out.push(data.message);
        if (out.length > OUTPUT_TAIL * 4) out.splice(0, out.length - OUTPUT_TAIL * 4);
        break;
      }
      case 'test:complete': {
        if (!isFile) break;
        const f = fileState(files, data.file);
        f.duration = data.details?.duration_ms;
        f.passedFile = data.details?.passed !== false;
        break;
      }
      case 'test:start': {
        if (data.file === undefined) break;
        const moved = moveTo(data.file);
        if (moved !== '') yield moved;
        if (isFile) break;
        const f = fileState(files, data.file);
        f.names.length = data.nesting;
        f.names[data.nesting] = data.name;
        break;
      }
      case 'test:pass': {
        if (isFile || data.details?.type === 'suite') break;
        const f = fileState(files, data.file);
        if (data.skip !== undefined) f.skipped++;
        else if (data.todo !== undefined) f.todo++;
        else f.passed++;
        break;
      }
      case 'test:fail': {
        const f = fileState(files, data.file);
        if (isFile) {
          // With failed tests, the file's failure is only their echo.
          if (f.failed === 0) f.crash = data.details?.error ?? 'failed';
          break;
        }
        if (data.details?.error?.failureType === 'subtestsFailed') break;
        const name = [...f.names.slice(0, data.nesting), data.name].join(' › ');
        if (data.details?.type === 'suite') {
          // A suite fails on its own when a hook throws (a `before` that cannot open its store): its tests
          // then only say they were cancelled, so the suite's error is the one worth reading.
          failures.push(`${shortPath(data.file)} › ${name} (its hooks)`);
          f.failed++;
          yield (
            `${red(`✖ ${name} (a hook of the suite failed)`)} ${dim(`(${shortPath(data.file)})`)}\n` +
            `${indent(describeError(data.details?.error))}\n\n`
          );
          break;
        }
        f.failed++;
        failures.push(`${shortPath(data.file)} › ${name}`);
        const where = data.line === undefined ? '' : `:${data.line}`;
        yield (
          `${red(`✖ ${name}`)} ${dim(`(${shortPath(data.file)}${where})`)}\n` +
          `${indent(describeError(data.details?.error))}\n\n`
        );
        break;
      }
      default:
        break;
    }
  }
  const last = moveTo(undefined);
  if (last !== '') yield last;
  // Files that reported no test at all (empty, or filtered out) still get their line.
  for (const file of files.keys()) if (!printed.has(file)) yield fileLine(file);

  const parts = [
    `${total.passed} passed`,
    total.failed > 0 ? red(`${total.failed} failed`) : '0 failed',
    `${total.skipped} skipped`,
    ...(total.todo > 0 ? [`${total.todo} todo`] : []),
  ];
  yield `\n${total.files} files: ${parts.join(', ')} in ${seconds(Date.now() - started)}\n`;
  if (failures.length > 0) yield `${red('failed:')}\n${failures.map((n) => `  ${n}`).join('\n')}\n`;
}
