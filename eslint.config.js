import { configApp } from '@adonisjs/eslint-config'

export default configApp(
  {
    ignores: ['build/**', 'tmp/**', 'storage/**', 'inertia/**/*.d.ts'],
  },
  {
    rules: {
      // `(await query).map(...)` is how a Lucid query builder's rows are read in one expression;
      // splitting every such read into a temporary adds names and no clarity.
      '@unicorn/no-await-expression-member': 'off',
    },
  }
)
