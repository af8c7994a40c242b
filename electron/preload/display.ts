// Bundled into dist-electron/display-preload.cjs: the customer display's window gets one thing, a read-only
// subscription to the display state. No till verb exists in this window (and the main process refuses any
// invoke from it anyway: electron/main/display-window.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { buildDisplayApi } from './display-api.ts';

contextBridge.exposeInMainWorld('posDisplay', buildDisplayApi(ipcRenderer));
