/**
 * The daemon's HTTP API: startHttpServer(api, options) serves a DaemonApi
 * over HTTP with the control socket's request registry, validation and
 * dispatch (src/ipc), so both surfaces always offer the same requests.
 */
export { startHttpServer, type HttpServer } from './server.js';
export { httpOptionsFromConfig, type HttpServerOptions } from './options.js';
export { routeOf } from './control.js';
