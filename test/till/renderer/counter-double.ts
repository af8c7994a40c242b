/** The counter part of the TillApi double: printer, print queue, shifts, display (in memory). */
import type { PrinterView, PrintQueueView, ShiftView } from '../../../shared/counter.ts';
import { type TillApi, tillError } from '../../../shared/ipc.ts';
import { rupiah } from '../../../shared/money.ts';
import type { Result } from '../../../shared/result.ts';

type Answer = <T>(method: string, input: unknown, work: () => Result<T>) => Promise<Result<T>>;
type CounterMethods = Pick<
  TillApi,
  | 'getPrinter'
  | 'savePrinter'
  | 'printReceipt'
  | 'printQueue'
  | 'retryPrints'
  | 'currentShift'
  | 'openShift'
  | 'closeShift'
  | 'showCart'
>;

export function counterDouble(answer: Answer, now: () => number, newId: () => string) {
  const ok = <T>(data: T): Result<T> => ({ ok: true, data });
  const printer: PrinterView = { transport: 'none', host: null, port: null, paperMm: 58, autoPrint: true };
  const queue: PrintQueueView = { queued: [], lastPrinted: null };
  let shift: ShiftView | null = null;
  const methods: CounterMethods = {
    getPrinter: (i) => answer('getPrinter', i, () => ok({ ...printer })),
    savePrinter: (i) =>
      answer('savePrinter', i, () => {
        Object.assign(printer, { ...i, host: i.host ?? null, port: i.port ?? null });
        return ok({ ...printer });
      }),
    printReceipt: (i) =>
      answer('printReceipt', i, () => {
        if (printer.transport === 'none') return tillError('NOT_CONFIGURED');
        const job = {
          id: newId(),
          kind: 'receipt' as const,
          refId: i.saleId,
          paperMm: printer.paperMm,
          status: 'queued' as const,
          attempts: 0,
          lastError: null,
          createdAt: now(),
          printedAt: null,
        };
        queue.queued.push(job);
        return ok(job);
      }),
    printQueue: (i) => answer('printQueue', i, () => ok({ ...queue })),
    retryPrints: (i) => answer('retryPrints', i, () => ok({ ...queue })),
    currentShift: (i) => answer('currentShift', i, () => ok(shift)),
    openShift: (i) =>
      answer('openShift', i, () => {
        if (shift?.status === 'open') return tillError('CONFLICT');
        const f = rupiah(i.openingFloat);
        shift = {
          id: newId(),
          status: 'open',
          openedAt: now(),
          closedAt: null,
          cashier: i.cashier ?? null,
          synced: false,
          report: {
            openingFloat: f,
            cashSales: rupiah(0),
            expectedCash: f,
            countedCash: null,
            difference: null,
            qrisByProvider: {},
            unverified: rupiah(0),
            refunded: rupiah(0),
            salesCount: 0,
          },
        };
        return ok(shift);
      }),
    closeShift: (i) =>
      answer('closeShift', i, () => {
        if (shift?.status !== 'open') return tillError('CONFLICT');
        const counted = rupiah(i.countedCash);
        shift = {
          ...shift,
          status: 'closed',
          closedAt: now(),
          report: { ...shift.report, countedCash: counted, difference: counted - shift.report.expectedCash },
        };
        return ok(shift);
      }),
    showCart: (i) =>
      answer('showCart', i, () =>
        ok({ phase: i.lines.length === 0 ? ('idle' as const) : ('idle' as const), storeName: 'x' }),
      ),
  };
  return { methods, printer, queue, shift: () => shift };
}
