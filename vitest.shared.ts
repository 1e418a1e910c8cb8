import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/** The one vitest configuration every project uses; a project passes only what differs. */
export function projectConfig(test: TestOptions = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['tests/**/*.test.ts'],
      environment: 'node',
      ...test,
    },
  });
}
