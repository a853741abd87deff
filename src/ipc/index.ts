/**
 * The control plane's server side: startIpcServer(api,
 * options) serves a DaemonApi over the control socket. The wire vocabulary
 * (src/contract) is shared with WadClient.
 */
export { startIpcServer, type IpcServer } from './server.js';
export { ipcOptionsFromConfig, type IpcServerOptions, type IpcLogger, type SendBufferLimits } from './options.js';
export { IpcError, IpcStartError } from './errors.js';
export { normalizeJid } from './jid.js';
export { encodeBinaryFrame, decodeBinaryFrame } from '../contract/binary.js';
export * from '../contract/frames.js';
