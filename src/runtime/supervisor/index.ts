/**
 * Supervision of xstate actors (one_for_one, restart intensity, ordered
 * start/stop, registry by id). See supervisor.ts.
 */
export { Supervisor, createSupervisor } from './supervisor.js';
export { SupervisorError, type SupervisorErrorCode } from './errors.js';
export {
  SHUTDOWN_EVENT,
  systemClock,
  type ChildInfo,
  type ChildSpec,
  type ChildStatus,
  type Clock,
  type FactoryChildSpec,
  type Intensity,
  type LogicChildSpec,
  type RestartPolicy,
  type SupervisorEvent,
  type SupervisorExit,
  type SupervisorLogger,
  type SupervisorOptions,
  type SupervisorStatus,
} from './types.js';
