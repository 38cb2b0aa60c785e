import type { Services } from './services';

/** What the server hands every loader and action, besides the request. */
export interface ObstackContext {
  services: Services;
  /** The client's address (X-Forwarded-For is honoured only with OBSTACK_TRUST_PROXY). */
  clientIp: string;
}

declare module '@remix-run/node' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- module augmentation
  interface AppLoadContext extends ObstackContext {}
  interface Future {
    v3_singleFetch: true;
  }
}
