import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the same build loads from app://groundswell/ in Electron and from `groundswell serve`.
  base: './',
  build: {
    outDir: 'dist/renderer',
    emptyOutDir: true,
    // Everything ships in the app; no runtime fetch from elsewhere.
    assetsInlineLimit: 0,
    // The CSP forbids inline scripts; the module preload polyfill would be one more script for browsers that all support it.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
});
