import type { BackendFactory } from '@xev/core';

/** The minimal backend of docs/backend-authors.md. */
export declare const backend: BackendFactory;
export default backend;
