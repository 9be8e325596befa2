import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'
import adonisjs from '@adonisjs/vite/client'
import inertia from '@adonisjs/inertia/client'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [
    inertia({ ssr: { enabled: false } }),
    vue(),
    adonisjs({ entrypoints: ['inertia/app/app.ts'], reload: ['resources/views/**/*.edge'] }),
  ],
  // Tests and parallel dev servers must not fight over the HMR websocket port.
  server: { hmr: process.env.NODE_ENV === 'test' ? false : undefined },
  // Worktrees share one node_modules: keep the pre-bundled deps per checkout, and pre-bundle the
  // label/format leaf's dependency up front so the first page view does not trigger a re-optimise.
  cacheDir: 'tmp/vite-cache',
  optimizeDeps: { include: ['libphonenumber-js'] },
  resolve: {
    alias: { '~/': fileURLToPath(new URL('./inertia/', import.meta.url)) },
  },
})
