/**
 * What every admin route is given and what a route file (admin-*.ts)
 * exports: the context of the simulator it acts on, and a route as a
 * method, a path with `:name` parameters, and a synchronous handler. Types
 * only; admin.ts registers the routes and serves them.
 */
import type { Hub } from './hub.js';

export interface AdminContext {
  hub: Hub;
  /** Creates a user and its phone. @throws SimError */
  createUser(phone: string, name: string): Promise<{ phone: string; jid: string; lid: string }>;
}

/** Answers [status, JSON body]; throws SimError for an error answer. */
export type AdminRouteHandler = (ctx: AdminContext, params: Record<string, string>, body: unknown, query: URLSearchParams) => [number, unknown];

export interface AdminRoute {
  method: string;
  path: string;
  handler: AdminRouteHandler;
}
