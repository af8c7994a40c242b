// Bundled into dist-electron/preload.cjs (one CommonJS file: a sandboxed preload cannot require our modules).
import { contextBridge, ipcRenderer } from 'electron';
import { buildTillApi } from './api.ts';

contextBridge.exposeInMainWorld('pos', buildTillApi(ipcRenderer));
