import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The console (index.html) and the standalone GraphiQL page the server shows at /graphql
 * (graphiql.html) build into dist/console; the server serves them under /genesys/. Every asset is
 * bundled: the console makes no request to another origin.
 */
export default defineConfig({
  root: here('.'),
  base: '/genesys/',
  plugins: [react()],
  // graphql must be one copy (graphiql and urql both import it); Node's CommonJS build is what the server uses.
  resolve: { dedupe: ['graphql', 'react', 'react-dom'] },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { index: here('index.html'), graphiql: here('graphiql.html') },
      // GraphiQL's packages start modules with "use no memo" (a React Compiler hint): harmless when bundled.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/graphql': { target: 'http://localhost:8080', ws: true },
      '/genesys/1': 'http://localhost:8080',
    },
  },
});
