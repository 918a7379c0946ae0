import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The built UI (ui/dist) is embedded into the app binary by `cargo build` (tauri.conf.json's
// frontendDist, with no devUrl: debug and release builds load the same embedded files).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
