/**
 * Monaco's workers, bundled by Vite (`?worker`) under /genesys/assets/. GraphiQL's packaged
 * `setup-workers/vite` breaks Vite's dependency optimiser and `setup-workers/esm.sh` loads from a
 * CDN, so the console registers them itself. Without MonacoEnvironment the editor crashes on load.
 */
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

// Monaco reads this global to start its workers.
(globalThis as { MonacoEnvironment?: MonacoEnvironment }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'graphql') return new GraphQLWorker();
    return new EditorWorker();
  },
};
