import { defineConfig } from 'vite';

// No @vitejs/plugin-react: the JSX transform built into Vite (tsconfig "jsx": "react-jsx")
// is enough for a production build, and it keeps the toolchain to one package.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // terser, not esbuild: about 10 KB less gzip on a page (Vite 6 is the last to run on Node 18).
    minify: 'terser',
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(w: { code?: string }, next: (w: unknown) => void) {
        if (w.code === 'MODULE_LEVEL_DIRECTIVE') return; // "use client" in TanStack Query: harmless in an SPA
        next(w);
      },
    },
  },
  server: {
    proxy: { '/api': process.env.CORRENTE_API ?? 'http://127.0.0.1:8080', '/health': process.env.CORRENTE_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
  },
} as any);
