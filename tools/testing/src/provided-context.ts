import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The moto endpoint (http://localhost:PORT) started by the globalSetup `@cfn-safe-deploy/testing/moto-global-setup`. */
    motoEndpoint: string;
  }
}
