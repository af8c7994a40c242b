/**
 * QRIS command line: `npm run qris -- decode <payload>` and
 * `npm run qris -- dynamic <static> --amount N [--reference R] [--terminal T]`.
 * Output contract (scripts and tests rely on it): on success only the result goes to stdout; on any failure
 * stdout stays empty, one line goes to stderr, and the exit code is non-zero (1 = invalid QRIS or amount,
 * 2 = bad command line).
 */
import { parseArgs } from 'node:util';
import { describeQris, parseQris, QrisError, toDynamic } from '../shared/qris/index.ts';

const USAGE = `usage:
  npm run qris -- decode <payload>
      print the payload's summary and tag tree as JSON; exit 1 if it is not a valid QRIS payload
  npm run qris -- dynamic <static-payload> --amount <rupiah> [--reference <label>] [--terminal <label>]
      print the dynamic payload for a whole-rupiah amount (1…10000000), with optional 62/05 and 62/07 labels
  npm run qris -- --help`;

class UsageError extends Error {}

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    // parseArgs throws TypeError with an ERR_PARSE_ARGS_* code for unknown or malformed options.
    return fail(2, `${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const [command, payload, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (command === 'decode') return decode(payload);
    if (command === 'dynamic') return dynamic(payload, values);
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  } catch (e) {
    if (e instanceof UsageError) return fail(2, `${e.message} (see --help)`);
    if (e instanceof QrisError) return fail(1, `${e.code}: ${e.message}`);
    throw e;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      amount: { type: 'string' },
      reference: { type: 'string' },
      terminal: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function decode(payload: string | undefined): number {
  if (payload === undefined) throw new UsageError('decode needs a payload');
  const summary = describeQris(payload);
  if (!summary.valid) return fail(1, `${summary.error?.code}: ${summary.error?.message}`);
  const { nodes } = parseQris(payload);
  process.stdout.write(`${JSON.stringify({ ...summary, tags: nodes }, null, 2)}\n`);
  return 0;
}

function dynamic(payload: string | undefined, values: { amount?: string; reference?: string; terminal?: string }) {
  if (payload === undefined) throw new UsageError('dynamic needs a static payload');
  if (values.amount === undefined) throw new UsageError('dynamic needs --amount');
  // Digits only: "25.000" or "25,000" would be read as 25 or NaN by Number(), and that is how a cashier pays Rp 25.
  if (!/^[0-9]+$/.test(values.amount)) {
    throw new QrisError('INVALID_AMOUNT', `--amount must be whole rupiah digits only, got "${values.amount}"`);
  }
  const out = toDynamic(payload, {
    amount: Number(values.amount),
    ...(values.reference !== undefined ? { reference: values.reference } : {}),
    ...(values.terminal !== undefined ? { terminal: values.terminal } : {}),
  });
  process.stdout.write(`${out}\n`);
  return 0;
}

function fail(code: number, line: string): number {
  process.stderr.write(`qris: ${line.replace(/\s+/g, ' ')}\n`);
  return code;
}

process.exitCode = main(process.argv.slice(2));
