/**
 * The ONE channel handler map, used by both transports (Electron IPC and the web host). Each handler parses
 * its input with the shared schema and answers a Result: nothing ever throws across the bridge, and an
 * unexpected error is logged here and reaches the screen only as INTERNAL.
 */
import type { z } from 'zod';
import {
  type IpcChannel,
  type IpcParsed,
  type IpcResponses,
  ipcRequests,
  isIpcChannel,
  TILL_METHODS,
  type TillMethod,
  tillError,
} from '../../shared/ipc.ts';
import { MoneyError } from '../../shared/money.ts';
import { ok, type Result } from '../../shared/result.ts';
import { TillFailure } from './errors.ts';
import type { TillCore } from './till-core.ts';

export type ChannelHandler<C extends IpcChannel> = (raw: unknown) => Promise<Result<IpcResponses[C]>>;
export type ChannelHandlers = { [C in IpcChannel]: ChannelHandler<C> };

type Impl = {
  [M in TillMethod]: (
    input: IpcParsed<(typeof TILL_METHODS)[M]>,
  ) => IpcResponses[(typeof TILL_METHODS)[M]] | Promise<IpcResponses[(typeof TILL_METHODS)[M]]>;
};

export function createHandlers(core: TillCore): ChannelHandlers {
  const impl: Impl = {
    listCatalog: (i) => core.listCatalog(i),
    findProduct: (i) => core.findProduct(i),
    seedDemoCatalog: () => core.seedDemoCatalog(),
    createSale: (i) => core.createSale(i),
    getSale: (i) => core.getReceipt(i),
    recentSales: (i) => core.recentSales(i),
    startQris: (i) => core.startQris(i),
    cancelPayment: (i) => core.cancelPayment(i),
    payCash: (i) => core.payCash(i),
    getPayment: (i) => core.getPayment(i),
    checkPayment: (i) => core.checkPayment(i),
    startOfflineQris: (i) => core.startOfflineQris(i),
    confirmOfflineQris: (i) => core.confirmOfflineQris(i),
    getSettings: () => core.getSettings(),
    saveSettings: (i) => core.saveSettings(i),
    getStatus: () => core.status(),
    retryParked: (i) => core.retryParked(i),
    syncDetails: () => core.syncDetails(),
    managerPin: () => core.managerPin.view(),
    setManagerPin: (i) => core.managerPin.setPin(i.pin, i.currentPin),
    unlockManager: (i) => core.managerPin.unlock(i.pin),
    lockManager: () => core.managerPin.lock(),
    getPrinter: () => core.counter.getPrinter(),
    savePrinter: (i) => core.counter.savePrinter(i),
    printReceipt: (i) => core.counter.printReceipt(i),
    printQueue: () => core.counter.printQueue(),
    retryPrints: () => core.counter.retryPrints(),
    currentShift: () => core.counter.currentShift(),
    openShift: (i) => core.counter.openShift(i),
    closeShift: (i) => core.counter.closeShift(i),
    showCart: (i) => core.counter.showCart(i),
  };
  const handlers: Record<string, ChannelHandler<IpcChannel>> = {};
  for (const [method, channel] of Object.entries(TILL_METHODS) as [TillMethod, IpcChannel][]) {
    const fn = impl[method] as (input: unknown) => unknown;
    const schema: z.ZodType = ipcRequests[channel];
    handlers[channel] = async (raw) => {
      const input = schema.safeParse(raw);
      if (!input.success) return tillError('INVALID_INPUT', describeIssues(input.error));
      try {
        return ok((await fn(input.data)) as IpcResponses[IpcChannel]);
      } catch (e) {
        if (e instanceof TillFailure) return tillError(e.code, e.message);
        if (e instanceof MoneyError) return tillError('INVALID_INPUT', e.message);
        core.log.error('till handler failed', { channel, err: e });
        return tillError('INTERNAL', 'something went wrong in the till; the error was logged');
      }
    };
  }
  return handlers as ChannelHandlers;
}

/** Dispatches by channel name as received from a transport (an untrusted string). */
export async function dispatch(handlers: ChannelHandlers, channel: unknown, raw: unknown): Promise<Result<unknown>> {
  if (!isIpcChannel(channel)) return tillError('NOT_FOUND', 'unknown till channel');
  return handlers[channel](raw);
}

/** A short, readable summary of what was wrong, bounded so hostile input cannot make it huge. */
function describeIssues(e: z.ZodError): string {
  const parts = e.issues.slice(0, 5).map((i) => {
    const path = i.path.map(String).join('.').slice(0, 60);
    return path ? `${path}: ${i.message}` : i.message;
  });
  return parts.join('; ').slice(0, 500);
}
