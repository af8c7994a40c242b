import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The manager dashboard: its own entry beside the till's (vite.config.ts), built to dist-admin/ and served by
// the sync-server under /admin/ (sync-server/src/routes/admin-static.ts), hence the absolute base.
export default defineConfig({
  root: resolve(import.meta.dirname, 'sync-server/admin'),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist-admin'),
    emptyOutDir: true,
    // No inline module-preload polyfill: the page's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    rollupOptions: { input: { admin: resolve(import.meta.dirname, 'sync-server/admin/index.html') } },
  },
});
